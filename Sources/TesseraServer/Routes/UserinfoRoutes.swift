import Foundation
import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraOAuth

/// OIDC Core §5.3 userinfo, GET or POST with a Bearer token (RFC 6750 §2.1) or a DPoP-bound one
/// with its proof (RFC 9449 §7.1); errors carry the RFC 6750 §3 and RFC 9449 §7.1 challenges.
struct UserinfoRoutes {
    let endpoint: UserinfoEndpoint

    func register(on tenant: RouterGroup<TenantRequestContext>) {
        let path = RouterPath(AuthorizationServerMetadata.Path.userinfo)
        let handler: @Sendable (Request, TenantRequestContext) async throws -> Response = { request, context in
            do throws(UserinfoEndpoint.Failure) {
                let presented = PresentedAccessToken.from(
                    authorization: request.headers[.authorization], proofs: request.headers[values: .dpop])
                let claims = try await endpoint.handle(
                    presented,
                    at: .init(
                        method: request.method.rawValue, url: context.addressedURL(of: request),
                        certificateThumbprint: context.clientCertificate?.thumbprint),
                    tenant: context.tenant)
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
        let bearer = AuthenticationChallenge.bearer
        let dpopChallenge = AuthenticationChallenge.dpop
        let (status, challenges): (HTTPResponse.Status, [String]) =
            switch failure {
            case .missingToken: (.unauthorized, [bearer, dpopChallenge])
            case .invalidToken:
                (
                    .unauthorized,
                    [
                        bearer
                            + ", error=\"invalid_token\", error_description=\"the access token is invalid or expired\"",
                        dpopChallenge,
                    ]
                )
            case .invalidDPoPProof:
                (
                    .unauthorized,
                    [dpopChallenge + ", error=\"invalid_dpop_proof\", error_description=\"the DPoP proof is invalid\""]
                )
            case .useDPoPNonce:
                (
                    .unauthorized,
                    [dpopChallenge + ", error=\"use_dpop_nonce\", error_description=\"the proof must carry the nonce\""]
                )
            case .insufficientScope:
                (.forbidden, [bearer + ", error=\"insufficient_scope\", scope=\"openid\""])
            case .unavailable: (.serviceUnavailable, [bearer])
            }
        let error =
            switch failure {
            case .missingToken, .invalidToken: "invalid_token"
            case .invalidDPoPProof: "invalid_dpop_proof"
            case .useDPoPNonce: "use_dpop_nonce"
            case .insufficientScope: "insufficient_scope"
            case .unavailable: "temporarily_unavailable"
            }
        var headers = CORS.headers([.cacheControl: "no-store"])
        for challenge in challenges { headers.append(HTTPField(name: .wwwAuthenticate, value: challenge)) }
        if case .useDPoPNonce(let nonce) = failure { headers[.dpopNonce] = nonce }
        return JSONResponse.make(["error": error], status: status, headers: headers)
    }
}
