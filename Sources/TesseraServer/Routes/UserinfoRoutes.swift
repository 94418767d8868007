import Foundation
import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraOAuth

/// OIDC Core §5.3 userinfo, GET or POST with a Bearer token (RFC 6750 §2.1); errors carry the
/// RFC 6750 §3 challenge.
struct UserinfoRoutes {
    let runtime: TesseraRuntime
    let endpoint: UserinfoEndpoint

    func register(on router: Router<TesseraRequestContext>) {
        let path = RouterPath("/t/:tenant" + AuthorizationServerMetadata.Path.userinfo)
        let handler: @Sendable (Request, TesseraRequestContext) async throws -> Response = { request, context in
            let tenant = try await TenantLookup.require(context, in: runtime.tenants)
            let issuer = runtime.configuration.publicURL.issuer(for: tenant.slug)
            let keys = try await runtime.tenants.keys(for: tenant)
            do {
                let claims = try await endpoint.handle(
                    bearer: Self.bearer(request.headers[.authorization]), tenant: tenant, issuer: issuer, keys: keys)
                return JSONResponse.make(claims, headers: CORS.headers([.cacheControl: "no-store"]))
            } catch let failure as UserinfoEndpoint.Failure {
                return Self.challenge(failure)
            } catch {
                return Self.challenge(.unavailable)
            }
        }
        router.get(path, use: handler)
        router.post(path, use: handler)
        router.on(path, method: .options) { _, _ in CORS.preflight(methods: "GET, POST") }
    }

    static func bearer(_ header: String?) -> String? {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        return String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    }

    static func challenge(_ failure: UserinfoEndpoint.Failure) -> Response {
        let (status, challenge): (HTTPResponse.Status, String) =
            switch failure {
            case .missingToken: (.unauthorized, #"Bearer realm="tessera""#)
            case .invalidToken:
                (
                    .unauthorized,
                    #"Bearer realm="tessera", error="invalid_token", error_description="the access token is invalid or expired""#
                )
            case .insufficientScope:
                (.forbidden, #"Bearer realm="tessera", error="insufficient_scope", scope="openid""#)
            case .unavailable: (.serviceUnavailable, #"Bearer realm="tessera""#)
            }
        let error =
            switch failure {
            case .missingToken, .invalidToken: "invalid_token"
            case .insufficientScope: "insufficient_scope"
            case .unavailable: "temporarily_unavailable"
            }
        return JSONResponse.make(
            ["error": error], status: status,
            headers: CORS.headers([.wwwAuthenticate: challenge, .cacheControl: "no-store"]))
    }
}
