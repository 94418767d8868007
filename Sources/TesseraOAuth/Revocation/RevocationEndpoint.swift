import Foundation
import TesseraCore
import TesseraJOSE
import TesseraStore

/// RFC 7009: a client revokes a token it was issued. An access token is remembered by `jti`
/// until its `exp`, on every instance within a second (the change feed).
public struct RevocationEndpoint: Sendable {
    let authenticator: ClientAuthenticator
    let validator: AccessTokenValidator
    let store: any Store
    let revocations: RevocationList
    let rateLimit: ClientRateLimit
    let clock: @Sendable () -> Date

    public init(
        authenticator: ClientAuthenticator, validator: AccessTokenValidator, store: any Store,
        revocations: RevocationList, rateLimit: ClientRateLimit, clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.authenticator = authenticator
        self.rateLimit = rateLimit
        self.validator = validator
        self.store = store
        self.revocations = revocations
        self.clock = clock
    }

    // RFC 7009 §2.1, §2.2
    public func handle(_ request: TokenRequest) async throws(OAuthError) {
        let client = try await request.authenticateClient(
            with: authenticator, rateLimit: rateLimit, allowPublic: true)
        let token = try request.form.require("token")
        // §2.2: an invalid, expired or unknown token is answered 200 like a revoked one.
        guard let claims = validator.signedClaims(token, tenant: request.tenant) else {
            if !token.contains(".") {
                try await revokeRefreshToken(token, client: client.client, tenant: request.tenant)
            }
            return
        }
        guard claims.clientID == client.client.id else {
            throw .unauthorizedClient("the token was not issued to this client")
        }
        let now = clock()
        let revoked = RevokedToken(
            tenantID: request.tenant.id, jti: claims.jti,
            expiresAt: Date(timeIntervalSince1970: TimeInterval(claims.exp)),
            revokedAt: now)
        do {
            try await store.transaction { operations in
                try await operations.insertRevokedToken(revoked)
                try await operations.recordChange(
                    Change(tenantID: revoked.tenantID, kind: .revokedToken, subject: revoked.jti, changedAt: now))
            }
        } catch {
            throw .temporarilyUnavailable("the revocation could not be stored; retry")
        }
        await revocations.add(revoked)
    }

    /// §2.1: revoking a refresh token revokes its family (the grant), so no descendant of it
    /// can be used either.
    func revokeRefreshToken(_ token: String, client: Client, tenant: TenantContext) async throws(OAuthError) {
        let now = clock()
        do {
            try await store.transaction { operations in
                guard token.utf8.count <= 512,
                    let record = try await operations.refreshToken(
                        tenantID: tenant.id, tokenHash: SecretHash(of: token))
                else { return }
                guard record.clientID == client.id else {
                    throw OAuthError.unauthorizedClient("the token was not issued to this client")
                }
                try await operations.revokeRefreshFamily(tenantID: tenant.id, familyID: record.familyID, at: now)
            }
        } catch let error as OAuthError {
            throw error
        } catch {
            throw .temporarilyUnavailable("the revocation could not be stored; retry")
        }
    }
}
