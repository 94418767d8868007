import Foundation
import TesseraCore

extension PurgeTable {
    /// The columns that identify one row.
    var key: String {
        switch self {
        case .revokedTokens: "tenant_id, jti"
        case .clientAssertions: "tenant_id, client_id, jti"
        case .dpopProofs: "tenant_id, jkt, jti"
        case .webAuthnChallenges: "tenant_id, ceremony, jti"
        case .familyAccessTokens: "tenant_id, jti"
        case .authorizationCodes: "tenant_id, code_hash"
        case .refreshTokens: "tenant_id, token_hash"
        case .deviceCodes: "tenant_id, device_code_hash"
        case .pushedRequests: "tenant_id, handle_hash"
        case .sessions, .endedSessions: "tenant_id, sid"
        case .sessionClients: "tenant_id, sid, client_id"
        case .loginFailures: "tenant_id, subject"
        case .registrationTokens: "tenant_id, id"
        }
    }

    var tableName: String { self == .endedSessions ? "sessions" : rawValue }

    /// The indexed time after which a row has done its work.
    var doneColumn: String { self == .endedSessions ? "ended_at" : "expires_at" }
}

extension SQLExecutor {
    /// One batch: found through the table's index on its done column, so the statement touches
    /// only the rows it deletes. On PostgreSQL rows a request holds locked are skipped, not waited
    /// for: the purge never queues behind traffic, and the next batch takes them.
    public func purgeExpired(_ table: PurgeTable, before date: Date, batch: Int) async throws -> Int {
        let skipLocked = dialect == .postgres ? "FOR UPDATE SKIP LOCKED" : ""
        let removed = try await execute(
            """
            DELETE FROM \(table.tableName) WHERE (\(table.key)) IN (
                SELECT \(table.key) FROM \(table.tableName) WHERE \(table.doneColumn) < $1 LIMIT $2 \(skipLocked)
            ) RETURNING \(table == .sessions || table == .endedSessions ? "tenant_id, sid" : "tenant_id")
            """, [.date(date), .int(batch)])
        if table == .sessions || table == .endedSessions, !removed.isEmpty {
            // A session's clients matter only while it may still end with logout tokens: they go
            // with it, not when their own 30 days are up.
            var binds: [SQLValue] = []
            for row in removed { binds += [.uuid(try row.uuid("tenant_id")), .text(try row.string("sid"))] }
            let pairs = stride(from: 1, to: binds.count, by: 2).map { "($\($0), $\($0 + 1))" }
            let clients = try await execute(
                """
                DELETE FROM session_clients WHERE (tenant_id, sid) IN (\(pairs.joined(separator: ", ")))
                RETURNING tenant_id
                """, binds)
            return removed.count + clients.count
        }
        return removed.count
    }

    /// One batch of audit events past their tenants' retention: one statement for a page of
    /// tenants, each condition served by the (tenant_id, occurred_at) index.
    public func purgeAuditEvents(olderThan cutoffs: [UUID: Date], batch: Int) async throws -> Int {
        guard !cutoffs.isEmpty else { return 0 }
        let (condition, binds) = Self.tenantCutoffs(cutoffs, column: "occurred_at", after: [.int(batch)])
        return try await execute(
            """
            DELETE FROM audit_events WHERE (tenant_id, id) IN (
                SELECT tenant_id, id FROM audit_events WHERE \(condition) LIMIT $1
            ) RETURNING tenant_id
            """, binds
        ).count
    }

    /// `(tenant_id = … AND column < …) OR …` for a page of tenants, each with its own cutoff: one
    /// statement for all of them, each term served by a (tenant_id, …) index. Binds follow `first`.
    static func tenantCutoffs(
        _ cutoffs: [UUID: Date], column: String, after first: [SQLValue]
    ) -> (condition: String, binds: [SQLValue]) {
        var binds = first
        var conditions: [String] = []
        for (tenantID, cutoff) in cutoffs {
            conditions.append("(tenant_id = $\(binds.count + 1) AND \(column) < $\(binds.count + 2))")
            binds += [.uuid(tenantID), .date(cutoff)]
        }
        return ("(" + conditions.joined(separator: " OR ") + ")", binds)
    }
}
