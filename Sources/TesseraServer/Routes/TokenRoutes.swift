import Foundation
import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraKeys
import TesseraOAuth
import TesseraStore

/// The form-in, JSON-out endpoints of a tenant: token (RFC 6749 §3.2), introspection
/// (RFC 7662) and revocation (RFC 7009). Never cached; any origin.
struct TokenRoutes {
    let runtime: TesseraRuntime
    let token: TokenEndpoint
    let introspection: IntrospectionEndpoint
    let revocation: RevocationEndpoint

    func register(on router: Router<TesseraRequestContext>) {
        typealias Path = AuthorizationServerMetadata.Path
        route(Path.token, on: router) { request, keys in
            let answer = try await token.handle(request, keys: keys)
            return JSONResponse.raw(Data(answer.compactJSON), headers: OAuthResponse.noStore)
        }
        route(Path.introspection, on: router) { request, keys in
            JSONResponse.make(try await introspection.handle(request, keys: keys), headers: OAuthResponse.noStore)
        }
        route(Path.revocation, on: router) { request, keys in
            try await revocation.handle(request, keys: keys)
            return Response(status: .ok, headers: OAuthResponse.noStore)
        }
    }

    /// One POST endpoint of a tenant: resolve the tenant, read the form, answer OAuth errors as
    /// RFC 6749 §5.2 JSON.
    private func route(
        _ path: String, on router: Router<TesseraRequestContext>,
        _ handle: @escaping @Sendable (TokenRequest, TenantKeys) async throws -> Response
    ) {
        let routerPath = RouterPath("/t/:tenant" + path)
        router.post(routerPath) { request, context in
            let tenant = try await TenantLookup.require(context, in: runtime.tenants)
            // Per address before anything costs work (RFC 6749 §10.10 asks for brute-force protection).
            if let address = context.remoteAddress,
                let wait = await runtime.rateLimiter.admit(
                    "\(tenant.id)|\(address)", rate: tenant.settings.rateLimitPerAddress)
            {
                return OAuthResponse.tooManyRequests(retryAfter: wait)
            }
            let issuer = runtime.configuration.publicURL.issuer(for: tenant.slug)
            do {
                let form = try await OAuthForm.read(request, context)
                let keys = try await runtime.tenants.keys(for: tenant)
                return try await handle(
                    TokenRequest(
                        tenant: tenant, issuer: issuer, form: form,
                        authorizationHeader: request.headers[.authorization],
                        tokenEndpoint: issuer + AuthorizationServerMetadata.Path.token),
                    keys)
            } catch let error as OAuthError {
                return OAuthResponse.error(error, context)
            }
        }
        router.on(routerPath, method: .options) { _, _ in CORS.preflight(methods: "POST") }
    }
}

/// Reading an OAuth form body (RFC 6749 §3.2: `application/x-www-form-urlencoded` only).
enum OAuthForm {
    static func read(_ request: Request, _ context: TesseraRequestContext) async throws -> FormParameters {
        let type = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces)
        guard type?.lowercased() == "application/x-www-form-urlencoded" else {
            throw OAuthError.invalidRequest("the body must be application/x-www-form-urlencoded")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: FormParameters.maximumBodyLength)
        } catch {
            throw OAuthError.invalidRequest("the body is larger than \(FormParameters.maximumBodyLength) bytes")
        }
        return try FormParameters(body: Array(body.readableBytesView))
    }
}

/// How OAuth answers look on the wire: RFC 6749 §5.1/§5.2 headers, CORS for browser clients.
enum OAuthResponse {
    static var noStore: HTTPFields {
        CORS.headers([.cacheControl: "no-store", .pragma: "no-cache"])
    }

    /// 429 with `Retry-After` in whole seconds (RFC 9110 §10.2.3), at least 1.
    static func tooManyRequests(retryAfter wait: Duration) -> Response {
        var headers = noStore
        headers[.retryAfter] = String(wait.retryAfterSeconds)
        return JSONResponse.make(
            ["error": "rate_limited", "error_description": "too many requests; retry after the Retry-After delay"],
            status: .tooManyRequests, headers: headers)
    }

    static func error(_ error: OAuthError, _ context: TesseraRequestContext) -> Response {
        var headers = noStore
        if let challenge = error.wwwAuthenticate { headers[.wwwAuthenticate] = challenge }
        if let retryAfter = error.retryAfter { headers[.retryAfter] = String(retryAfter) }
        if error.code == .temporarilyUnavailable || error.code == .serverError {
            context.logger.warning("Token request failed", metadata: ["error": "\(error.body)"])
        }
        return JSONResponse.make(
            error.body, status: HTTPResponse.Status(code: error.status), headers: headers)
    }
}

extension HTTPField.Name {
    static let pragma = Self("Pragma")!
}
