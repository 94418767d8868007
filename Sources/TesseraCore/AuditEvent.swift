import Foundation

/// One line of a tenant's append-only audit log: an admin action or a security event.
public struct AuditEvent: Sendable, Equatable {
    public let tenantID: UUID
    public let id: UUID
    public let occurredAt: Date
    /// Who acted: `cli`, `client:<id>`, `user:<id>`, `system`, or an address for anonymous failures.
    public let actor: String
    public let action: AuditAction
    public let target: String
    public let requestID: String?
    /// Extra facts as a JSON object; never a secret.
    public let details: String

    public init(
        tenantID: UUID, id: UUID = UUID(), occurredAt: Date, actor: String, action: AuditAction, target: String,
        requestID: String? = nil, details: String = "{}"
    ) {
        self.tenantID = tenantID
        self.id = id
        self.occurredAt = occurredAt
        self.actor = actor
        self.action = action
        self.target = target
        self.requestID = requestID
        self.details = details
    }
}
