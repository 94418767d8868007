import Foundation
import Logging
import ServiceLifecycle
import TesseraCore
import TesseraStore

/// Keeps every table that grows with traffic bounded (docs/bounded-storage.md): every
/// `interval`, expired codes, tokens, one-shot ids, sessions and counters go; audit events past
/// their tenant's `audit_retention`; change-feed entries older than `changeHistory`.
///
/// Each batch is its own short transaction under the purge job's advisory lock, so one instance
/// purges at a time and no transaction holds its locks long enough to stall the traffic beside
/// it, whatever the backlog (a million expired rows are a thousand batches, not one statement).
public struct PurgeScheduler: Service {
    let store: any Store
    let interval: Duration
    let changeHistory: Duration
    let logger: Logger
    static let batch = 1_000
    static let tenantPage = 200

    public init(store: any Store, interval: Duration, changeHistory: Duration = .seconds(3_600), logger: Logger) {
        self.store = store
        self.interval = interval
        self.changeHistory = changeHistory
        self.logger = logger
    }

    public func run() async throws {
        await runPeriodically(every: interval, logger: logger, job: "Purge") { try await purgeOnce() }
    }

    /// One pass; the rows removed per table, or nil when another instance holds the job.
    @discardableResult
    public func purgeOnce(now: Date = Date()) async throws -> [String: Int]? {
        var removed: [String: Int] = [:]
        for table in PurgeTable.allCases {
            guard let count = try await drain({ try await $0.purgeExpired(table, before: now, batch: Self.batch) })
            else { return nil }
            removed[table.rawValue, default: 0] += count
        }
        guard let audit = try await purgeAudit(now: now) else { return nil }
        removed["audit_events"] = audit
        guard let unused = try await purgeUnusedClients(now: now) else { return nil }
        removed["registered_clients"] = unused
        let historyStart = now.addingTimeInterval(-changeHistory.inSeconds)
        guard let changes = try await drain({ try await $0.purgeChanges(before: historyStart, batch: Self.batch) })
        else { return nil }
        removed["changes"] = changes
        let purged = removed.filter { $0.value > 0 }
        if !purged.isEmpty {
            logger.info(
                "Purged expired rows",
                metadata: purged.reduce(into: [:]) { $0[$1.key] = "\($1.value)" })
        }
        return removed
    }

    /// Audit events older than each tenant's retention, a page of tenants per statement.
    private func purgeAudit(now: Date) async throws -> Int? {
        try await forEachTenantPage(cutoff: { now.addingTimeInterval(-TimeInterval($0.settings.auditRetention)) }) {
            cutoffs in
            try await drain({ try await $0.purgeAuditEvents(olderThan: cutoffs, batch: Self.batch) })
        }
    }

    /// `purge` over the tenants a page at a time, with each tenant's cutoff; nil when another
    /// instance holds the job.
    private func forEachTenantPage(
        cutoff: (Tenant) -> Date, _ purge: ([UUID: Date]) async throws -> Int?
    ) async throws -> Int? {
        var total = 0
        var cursor: TenantSlug?
        while !Task.isCancelled {
            let tenants = try await store.tenants(after: cursor, limit: Self.tenantPage)
            guard let count = try await purge(Dictionary(uniqueKeysWithValues: tenants.map { ($0.id, cutoff($0)) }))
            else { return nil }
            total += count
            guard tenants.count == Self.tenantPage else { break }
            cursor = tenants.last?.slug
        }
        return total
    }

    /// Self-registered clients no token was issued to for their tenant's `registration_unused_ttl`
    /// (docs/dynamic-client-registration.md): deleted as an administrator deletes a client, with
    /// their refresh tokens and consents, audited and fed so every instance forgets them.
    private func purgeUnusedClients(now: Date) async throws -> Int? {
        try await forEachTenantPage(cutoff: {
            now.addingTimeInterval(-TimeInterval($0.settings.registrationUnusedTTL))
        }) { cutoffs in
            try await drain(batch: Self.clientBatch) { operations in
                let unused = try await operations.unusedRegisteredClients(olderThan: cutoffs, limit: Self.clientBatch)
                for (tenantID, clientID) in unused {
                    try await operations.audited(
                        AuditedChange(
                            tenantID: tenantID, actor: "purge", requestID: nil, at: now,
                            records: [
                                AuditRecord(
                                    action: .clientDelete, target: clientID,
                                    details: AuditDetails().strings("reason", ["unused"]))
                            ], feed: (.client, clientID))
                    ) { operations in
                        _ = try await operations.deleteClient(tenantID: tenantID, id: clientID)
                        try await operations.revokeRefreshTokens(tenantID: tenantID, clientID: clientID, at: now)
                        try await operations.deleteConsents(tenantID: tenantID, clientID: clientID)
                    }
                }
                return unused.count
            }
        }
    }

    /// Clients deleted per transaction: each takes its tokens and consents along.
    static let clientBatch = 100

    /// Runs `batch` until it removes fewer rows than a full batch; nil when the lock is taken.
    private func drain(
        batch size: Int = PurgeScheduler.batch, _ batch: @escaping @Sendable (any StoreOperations) async throws -> Int
    ) async throws -> Int? {
        var total = 0
        while !Task.isCancelled {
            guard let removed = try await store.transactionIfLockFree(job: .purge, batch) else { return nil }
            total += removed
            if removed < size { break }
        }
        return total
    }
}
