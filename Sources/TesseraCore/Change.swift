import Foundation

/// A committed change that other instances must see within a second: they refresh the cache it
/// names. Written in the same transaction as the change itself, so it exists exactly when the
/// change does.
public struct Change: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// A tenant's signing keys changed (rotation, revocation, retirement, rewrap).
        case keys
        /// A tenant's settings, name or status changed.
        case tenant
        /// A client was created, changed or deleted; `subject` is its id.
        case client
        /// An access token was revoked; `subject` is its `jti`.
        case revokedToken = "revoked_token"
    }

    /// Commit order, assigned by the database; 0 before it is written.
    public let sequence: Int
    public let tenantID: UUID
    public let kind: Kind
    public let subject: String
    public let changedAt: Date

    public init(sequence: Int = 0, tenantID: UUID, kind: Kind, subject: String = "", changedAt: Date) {
        self.sequence = sequence
        self.tenantID = tenantID
        self.kind = kind
        self.subject = subject
        self.changedAt = changedAt
    }
}
