import Foundation

/// A local user linked to an account at an upstream OpenID Provider: by the upstream's `iss`
/// and `sub` together (OIDC Core §2: `sub` is unique only within its issuer), never by e-mail.
/// One link per (tenant, issuer, subject).
public struct UpstreamAccountLink: Sendable, Equatable {
    public let tenantID: UUID
    public let issuer: String
    public let subject: String
    public let userID: UUID
    /// The provider the first sign-in came through (the link outlives it: re-adding the same
    /// issuer finds the same users).
    public let providerID: UUID
    /// The mapped claims as the upstream sent them at the first sign-in; for display only.
    public let email: String?
    public let name: String?
    public let createdAt: Date

    public init(
        tenantID: UUID, issuer: String, subject: String, userID: UUID, providerID: UUID, email: String?,
        name: String?, createdAt: Date
    ) {
        self.tenantID = tenantID
        self.issuer = issuer
        self.subject = subject
        self.userID = userID
        self.providerID = providerID
        self.email = email
        self.name = name
        self.createdAt = createdAt
    }
}
