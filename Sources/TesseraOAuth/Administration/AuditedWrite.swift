import Foundation
import TesseraCore
import TesseraStore

/// One audit line of a write: what was done, to what, with which facts.
struct AuditRecord: Sendable {
    let action: AuditAction
    let target: String
    var details: AuditDetails = AuditDetails()
}

/// What an audited write records beside the change itself: who, when, the audit lines, and the
/// change-feed entry when other instances must refresh a cache.
struct AuditedChange: Sendable {
    let tenantID: UUID
    let actor: String
    let requestID: String?
    let at: Date
    let records: [AuditRecord]
    var feed: (kind: Change.Kind, subject: String)? = nil
}

extension Store {
    /// The one write path of every administrative change and of every security event that
    /// changes state: `body` writes, then the audit lines and the change-feed entry are appended,
    /// all in one transaction, so the log names exactly what happened and other instances learn
    /// of exactly what committed.
    @discardableResult
    func audited<Result: Sendable>(
        _ change: AuditedChange, _ body: @escaping @Sendable (any StoreOperations) async throws -> Result
    ) async throws -> Result {
        try await transaction { operations in try await operations.audited(change, body) }
    }
}

extension StoreOperations {
    /// `Store.audited` inside a transaction the caller already runs (scheduled jobs, grants that
    /// detect a replay).
    @discardableResult
    func audited<Result: Sendable>(
        _ change: AuditedChange, _ body: @Sendable (any StoreOperations) async throws -> Result
    ) async throws -> Result {
        let result = try await body(self)
        for record in change.records {
            try await appendAudit(
                record, tenantID: change.tenantID, actor: change.actor, requestID: change.requestID, at: change.at)
        }
        if let feed = change.feed {
            try await recordChange(
                Change(tenantID: change.tenantID, kind: feed.kind, subject: feed.subject, changedAt: change.at))
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

extension Administration {
    /// Writes the next version of an aggregate over the version read (optimistic concurrency, one
    /// scheme for tenants, clients and users): a change someone made meanwhile is a version
    /// mismatch for the caller, never silently overwritten.
    func saveNextVersion<Aggregate: Versioned & Sendable>(
        _ aggregate: Aggregate, in tenantID: UUID, _ records: [AuditRecord],
        feed: (kind: Change.Kind, subject: String)? = nil, actor: String, requestID: String?,
        _ write: @escaping @Sendable (any StoreOperations, Aggregate) async throws -> Void
    ) async throws -> Aggregate {
        var next = aggregate
        next.version += 1
        next.updatedAt = clock()
        let saved = next
        do {
            try await store.audited(
                AuditedChange(
                    tenantID: tenantID, actor: actor, requestID: requestID, at: saved.updatedAt, records: records,
                    feed: feed)
            ) { operations in try await write(operations, saved) }
        } catch StoreError.conflict {
            throw AdministrationError.versionMismatch(current: nil)
        }
        return saved
    }
}
