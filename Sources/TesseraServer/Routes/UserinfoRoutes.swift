import Foundation
import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraOAuth

/// OIDC Core §5.3 userinfo, GET or POST with a Bearer token (RFC 6750 §2.1); errors carry the
/// RFC 6750 §3 challenge.
struct UserinfoRoutes {
    let endpoint: UserinfoEndpoint

    func register(on tenant: RouterGroup<TenantRequestContext>) {
        let path = RouterPath(AuthorizationServerMetadata.Path.userinfo)
        let handler: @Sendable (Request, TenantRequestContext) async throws -> Response = { request, context in
            do throws(UserinfoEndpoint.Failure) {
                let claims = try await endpoint.handle(
                    bearer: BearerToken.from(authorization: request.headers[.authorization]), tenant: context.tenant)
                return JSONResponse.make(claims, headers: CORS.headers([.cacheControl: "no-store"]))
            } catch {
                return Self.challenge(error)
            }
        }
        tenant.get(path, use: handler)
        tenant.post(path, use: handler)
        CORS.allowPreflight(path, methods: "GET, POST", on: tenant)
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
