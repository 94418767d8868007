import Foundation

/// What a user has let one client do: remembered so the consent page is shown again only when
/// the client asks for more.
public struct Consent: Sendable, Equatable {
    public let tenantID: UUID
    public let userID: UUID
    public let clientID: String
    public var scopes: ScopeSet
    public let createdAt: Date
    public var updatedAt: Date

    public init(
        tenantID: UUID, userID: UUID, clientID: String, scopes: ScopeSet, createdAt: Date, updatedAt: Date? = nil
    ) {
        self.tenantID = tenantID
        self.userID = userID
        self.clientID = clientID
        self.scopes = scopes
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }

    /// Whether `requested` needs the user's approval again: only scopes never approved do.
    public func covers(_ requested: ScopeSet) -> Bool { requested.subtracting(scopes).isEmpty }
}
