import Foundation
import TesseraCore
import TesseraJOSE

/// Mints RFC 9068 access tokens; every grant issues through it, so every token has the same
/// shape, lifetime rules and signing path.
public struct AccessTokenIssuer: Sendable {
    let clock: @Sendable () -> Date

    public init(clock: @escaping @Sendable () -> Date = { Date() }) { self.clock = clock }

    public struct Issued: Sendable {
        public let token: String
        public let claims: AccessTokenClaims
        public let expiresIn: Int
    }

    public func issue(
        subject: String, client: Client, scope: ScopeSet, audience: [String], tenant: TenantContext,
        authTime: Date? = nil, act: ActorClaim? = nil, notAfter: Date? = nil, confirmation: Confirmation? = nil,
        authentication: (amr: [String], acr: String?) = ([], nil)
    ) throws(OAuthError) -> Issued {
        let now = Int(clock().timeIntervalSince1970)
        var lifetime = client.accessTokenTTL ?? tenant.settings.accessTokenTTL
        if let notAfter {
            // A token derived from another (token exchange) never outlives it.
            lifetime = min(lifetime, Int(notAfter.timeIntervalSince1970) - now)
        }
        guard lifetime > 0 else { throw .invalidGrant("the subject token has expired") }
        var claims = AccessTokenClaims(
            iss: tenant.issuer, sub: subject, aud: Audience(audience), exp: now + lifetime, iat: now, nbf: now,
            jti: RandomToken.generate(bytes: 16), clientID: client.id, scope: scope.description,
            authTime: authTime.map { Int($0.timeIntervalSince1970) }, act: act, cnf: confirmation)
        claims.amr = authentication.amr
        claims.acr = authentication.acr
        do {
            return Issued(token: try tenant.keys.sign(claims, type: "at+jwt"), claims: claims, expiresIn: lifetime)
        } catch {
            throw .temporarilyUnavailable("the tenant has no usable signing key")
        }
    }
}
