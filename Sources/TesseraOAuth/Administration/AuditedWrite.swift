import Foundation
import TesseraCore
import TesseraStore

/// What one audited write records beside its change: the audit lines and, when other instances
/// must refresh a cache, the change-feed entry.
struct AuditRecord: Sendable {
    let action: AuditAction
    let target: String
    var details: AuditDetails = AuditDetails()
}

extension Store {
    /// The one write path of every administrative change and security event that changes state:
    /// `body` writes, then its audit lines and change-feed entry are appended, all in one
    /// transaction, so the log names exactly what happened and other instances learn of exactly
    /// what committed.
    @discardableResult
    func audited<Result: Sendable>(
        tenantID: UUID, actor: String, requestID: String?, at now: Date, _ records: [AuditRecord],
        change: (kind: Change.Kind, subject: String)? = nil,
        _ body: @Sendable (any StoreOperations) async throws -> Result
    ) async throws -> Result {
        try await transaction { operations in
            try await operations.audited(
                tenantID: tenantID, actor: actor, requestID: requestID, at: now, records, change: change, body)
        }
    }
}

extension StoreOperations {
    /// `Store.audited` inside a transaction the caller already runs (scheduled jobs, grants that
    /// detect a replay).
    @discardableResult
    func audited<Result: Sendable>(
        tenantID: UUID, actor: String, requestID: String?, at now: Date, _ records: [AuditRecord],
        change: (kind: Change.Kind, subject: String)? = nil,
        _ body: @Sendable (any StoreOperations) async throws -> Result
    ) async throws -> Result {
        let result = try await body(self)
        for record in records {
            try await appendAudit(record, tenantID: tenantID, actor: actor, requestID: requestID, at: now)
        }
        if let change {
            try await recordChange(
                Change(tenantID: tenantID, kind: change.kind, subject: change.subject, changedAt: now))
        }
        return result
    }
}

extension AuditLog {
    /// One audit line, for events that change nothing else (a failed login, a replay whose
    /// consequences the caller wrote itself).
    func appendAudit(
        _ record: AuditRecord, tenantID: UUID, actor: String, requestID: String?, at now: Date
    ) async throws {
        try await appendAudit(
            AuditEvent(
                tenantID: tenantID, occurredAt: now, actor: actor, action: record.action, target: record.target,
                requestID: requestID, details: record.details.json))
    }
}
