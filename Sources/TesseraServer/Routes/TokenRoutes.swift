import Foundation
import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraOAuth

/// The form-in, JSON-out endpoints of a tenant: token (RFC 6749 §3.2), introspection
/// (RFC 7662), revocation (RFC 7009) and device authorization (RFC 8628 §3.1). Never cached;
/// any origin.
struct TokenRoutes {
    let token: TokenEndpoint
    let introspection: IntrospectionEndpoint
    let revocation: RevocationEndpoint
    let deviceAuthorization: DeviceAuthorizationEndpoint
    let pushedAuthorization: PushedAuthorizationEndpoint
    let rateLimiter: RateLimiter
    /// Client credentials and introspection answer from memory through a database outage, for
    /// as long as this allows (docs/database-failover.md).
    let freshness: CacheFreshness

    func register(on tenant: RouterGroup<TenantRequestContext>) {
        typealias Path = AuthorizationServerMetadata.Path
        route(Path.token, on: tenant, carriesNonce: true) { (request) throws(OAuthError) in
            var headers = Self.noStore
            // RFC 9449 §8.2: each answer to a DPoP request carries the nonce to use next.
            if !request.dpopProofs.isEmpty, let nonce = token.dpopNonce(for: request.tenant) {
                headers[.dpopNonce] = nonce
            }
            return JSONResponse.raw(Data(try await token.handle(request).compactJSON), headers: headers)
        }
        route(Path.introspection, on: tenant) { (request) throws(OAuthError) in
            JSONResponse.raw(Data(try await introspection.handle(request).compactJSON), headers: Self.noStore)
        }
        route(Path.deviceAuthorization, on: tenant) { (request) throws(OAuthError) in
            JSONResponse.make(try await deviceAuthorization.handle(request), headers: Self.noStore)
        }
        route(Path.pushedAuthorizationRequest, on: tenant, carriesNonce: true) { (request) throws(OAuthError) in
            var headers = Self.noStore
            if !request.dpopProofs.isEmpty, let nonce = token.dpopNonce(for: request.tenant) {
                headers[.dpopNonce] = nonce
            }
            // RFC 9126 §2.2: 201 Created.
            return JSONResponse.raw(
                Data(try await pushedAuthorization.handle(request).compactJSON), status: .created, headers: headers)
        }
        route(Path.revocation, on: tenant) { (request) throws(OAuthError) in
            try await revocation.handle(request)
            return Response(status: .ok, headers: Self.noStore)
        }
    }

    /// RFC 6749 §5.1: token answers are never stored; CORS for browser clients.
    static var noStore: HTTPFields { CORS.headers([.cacheControl: "no-store", .pragma: "no-cache"]) }

    /// One POST endpoint: the address's budget, the form, and OAuth errors as RFC 6749 §5.2 JSON.
    /// `carriesNonce`: an endpoint that takes DPoP proofs, whose refusals of a request with a
    /// proof carry the nonce to use next, as its answers do (RFC 9449 §8.2).
    private func route(
        _ path: String, on tenant: RouterGroup<TenantRequestContext>, carriesNonce: Bool = false,
        _ handle: @escaping @Sendable (TokenRequest) async throws(OAuthError) -> Response
    ) {
        tenant.post(RouterPath(path)) { request, context in
            // Per address before anything costs work (RFC 6749 §10.10 asks for brute-force protection).
            if let address = context.remoteAddress,
                let wait = await rateLimiter.admit(
                    "\(context.tenant.id)|\(address)", rate: context.tenant.settings.rateLimitPerAddress)
            {
                return Self.errorResponse(.tooManyRequests(retryAfter: wait))
            }
            if let refusal = freshness.refusal() { return Self.errorResponse(OAuthErrorResponse(refusal)) }
            do throws(OAuthError) {
                let form = try await FormBody.read(request)
                return try await handle(
                    TokenRequest(
                        tenant: context.tenant, form: form, authorizationHeader: request.headers[.authorization],
                        dpopProofs: request.headers[values: .dpop], certificate: context.clientCertificate))
            } catch {
                if error.code == .temporarilyUnavailable || error.code == .serverError {
                    context.logger.warning("Token request failed", metadata: ["error": "\(error.body)"])
                }
                var response = Self.errorResponse(OAuthErrorResponse(error))
                if carriesNonce, response.headers[.dpopNonce] == nil, !request.headers[values: .dpop].isEmpty,
                    let nonce = token.dpopNonce(for: context.tenant)
                {
                    response.headers[.dpopNonce] = nonce
                }
                return response
            }
        }
        CORS.allowPreflight(RouterPath(path), methods: "POST", on: tenant)
    }

    /// An error answer with the headers of every token answer (`noStore`).
    static func errorResponse(_ error: OAuthErrorResponse) -> Response {
        var response = error.response
        for field in noStore { response.headers[field.name] = field.value }
        return response
    }
}

extension HTTPField.Name {
    static let pragma = Self("Pragma")!
    /// RFC 9449 §4.1 and §8.
    static let dpop = Self("DPoP")!
    static let dpopNonce = Self("DPoP-Nonce")!
}
