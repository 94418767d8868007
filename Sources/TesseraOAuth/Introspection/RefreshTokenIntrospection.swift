import Foundation
import TesseraCore
import TesseraStore

/// RFC 7662 for refresh tokens: they are opaque, so the answer comes from their row. Only the
/// client the token was issued to learns anything; to every other client it is inactive, like
/// any token it has no business with.
public struct RefreshTokenIntrospection: Sendable {
    let store: any Store
    let clock: @Sendable () -> Date

    public init(store: any Store, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.clock = clock
    }

    public func introspect(
        _ token: String, tenant: TenantContext, requester: String
    ) async
        -> IntrospectionResponse
    {
        guard token.utf8.count <= 512,
            let record = try? await store.refreshToken(tenantID: tenant.id, tokenHash: SecretHash(of: token)),
            record.clientID == requester, record.isActive(at: clock())
        else { return .inactive }
        return IntrospectionResponse(refreshToken: record, issuer: tenant.issuer)
    }
}

extension IntrospectionResponse {
    init(refreshToken record: RefreshToken, issuer: String) {
        active = true
        scope = record.scopes.description
        clientID = record.clientID
        sub = record.userID.uuidString.lowercased()
        aud = record.audience.isEmpty ? nil : Audience(record.audience)
        iss = issuer
        exp = Int(min(record.expiresAt, record.idleExpiresAt).timeIntervalSince1970)
        iat = Int(record.createdAt.timeIntervalSince1970)
        nbf = nil
        jti = nil
        tokenType = "refresh_token"
        act = nil
        cnf = record.jkt.map(Confirmation.init(jkt:))
    }
}
