import Foundation

/// An access token revoked before its `exp` (RFC 7009): remembered by `jti` until then.
public struct RevokedToken: Sendable, Hashable {
    public let tenantID: UUID
    public let jti: String
    public let expiresAt: Date
    public let revokedAt: Date

    public init(tenantID: UUID, jti: String, expiresAt: Date, revokedAt: Date) {
        self.tenantID = tenantID
        self.jti = jti
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }
}
