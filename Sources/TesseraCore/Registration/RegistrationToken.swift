import Foundation

/// An initial access token (RFC 7591 §3): what an administrator hands to a developer so that
/// one app, or a few, may register while the tenant's `registration` is `initial_access_token`.
/// Stored as its SHA-256; spent after `usesLeft` registrations, dead after `expiresAt`.
public struct RegistrationToken: Sendable, Equatable {
    public let tenantID: UUID
    public let id: UUID
    public let tokenHash: SecretHash
    /// nil: any number of registrations until it expires.
    public var usesLeft: Int?
    public let expiresAt: Date
    public let createdAt: Date
    public let createdBy: String

    public init(
        tenantID: UUID, id: UUID = UUID(), tokenHash: SecretHash, usesLeft: Int?, expiresAt: Date, createdAt: Date,
        createdBy: String
    ) {
        self.tenantID = tenantID
        self.id = id
        self.tokenHash = tokenHash
        self.usesLeft = usesLeft
        self.expiresAt = expiresAt
        self.createdAt = createdAt
        self.createdBy = createdBy
    }

    /// How long a token may be made to live, and how many registrations it may allow.
    public static let lifetimeRange = 60...(365 * 86_400)
    public static let usesRange = 1...1_000_000
}
