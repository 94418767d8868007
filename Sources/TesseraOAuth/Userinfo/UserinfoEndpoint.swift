import Foundation
import TesseraCore
import TesseraJOSE
import TesseraStore

/// OIDC Core §5.3: the claims about the signed-in user that an access token with `openid` may
/// read. Only the user's own tokens qualify; a client-credentials token names no user.
public struct UserinfoEndpoint: Sendable {
    let validator: AccessTokenValidator
    let store: any Store

    public init(validator: AccessTokenValidator, store: any Store) {
        self.validator = validator
        self.store = store
    }

    /// RFC 6750 §3.1 and RFC 9449 §7.1 errors, answered with `WWW-Authenticate` challenges.
    public enum Failure: Error, Equatable, Sendable {
        case missingToken
        case invalidToken
        case invalidDPoPProof(String)
        /// RFC 9449 §9: retry with this nonce.
        case useDPoPNonce(String)
        case insufficientScope
        case unavailable
    }

    /// `request` is the userinfo request as the client addressed it (method and URL), for a
    /// DPoP proof's `htm` and `htu`.
    public func handle(
        _ presented: PresentedAccessToken?, at request: DPoPProof.Request, tenant: TenantContext
    ) async throws(Failure) -> [String: String] {
        guard let presented, !presented.token.isEmpty else { throw .missingToken }
        let claims: AccessTokenClaims
        do {
            claims = try await validator.validate(presented, at: request, tenant: tenant)
        } catch .invalidToken {
            throw .invalidToken
        } catch .invalidDPoPProof(let reason) {
            throw .invalidDPoPProof(reason)
        } catch .useDPoPNonce(let nonce) {
            throw .useDPoPNonce(nonce)
        } catch {
            throw .unavailable
        }
        guard let userID = UUID(uuidString: claims.sub) else { throw .invalidToken }
        let scopes = Set(claims.scope.split(separator: " ").map(String.init))
        guard scopes.contains("openid") else { throw .insufficientScope }
        let user: User?
        do {
            user = try await store.user(tenantID: tenant.id, id: userID)
        } catch {
            throw .unavailable
        }
        guard let user, user.status == .active else { throw .invalidToken }
        var answer = ["sub": claims.sub]
        if scopes.contains("profile") { answer["preferred_username"] = user.username }
        return answer
    }
}
