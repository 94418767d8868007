import Foundation

/// A refresh token as stored. Every use rotates it: the used one is kept (marked) until the
/// family expires, so presenting it again is recognised as theft and revokes the whole family
/// (RFC 9700 §4.14.2).
public struct RefreshToken: Sendable, Equatable {
    public let tenantID: UUID
    public let tokenHash: SecretHash
    /// Every token descended from one authorization shares it.
    public let familyID: UUID
    public let clientID: String
    public let userID: UUID
    public let scopes: ScopeSet
    public let audience: [String]
    public let authTime: Date
    public let createdAt: Date
    /// The family's absolute end; rotation does not extend it.
    public let expiresAt: Date
    public let idleExpiresAt: Date
    public var usedAt: Date?
    public var revokedAt: Date?
    /// RFC 9449 §5: the thumbprint of the DPoP key a public client's token is bound to; every
    /// refresh then needs a proof by that key.
    public let jkt: String?
    /// RFC 8176 `amr` and OIDC Core §2 `acr` of the sign-in the family began with: a refresh
    /// re-authenticates nobody, so its tokens say what that sign-in was (OIDC Core §12.2).
    public var authenticationMethods: [String] = []
    public var authenticationContext: String?

    public init(
        tenantID: UUID, tokenHash: SecretHash, familyID: UUID, clientID: String, userID: UUID, scopes: ScopeSet,
        audience: [String], authTime: Date, createdAt: Date, expiresAt: Date, idleExpiresAt: Date,
        usedAt: Date? = nil, revokedAt: Date? = nil, jkt: String? = nil
    ) {
        self.tenantID = tenantID
        self.tokenHash = tokenHash
        self.familyID = familyID
        self.clientID = clientID
        self.userID = userID
        self.scopes = scopes
        self.audience = audience
        self.authTime = authTime
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.idleExpiresAt = idleExpiresAt
        self.usedAt = usedAt
        self.revokedAt = revokedAt
        self.jkt = jkt
    }

    /// Usable at `date`: not used, not revoked, inside both lifetimes.
    public func isActive(at date: Date) -> Bool {
        usedAt == nil && revokedAt == nil && expiresAt > date && idleExpiresAt > date
    }
}
