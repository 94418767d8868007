import Foundation
import TesseraCore

extension SQLExecutor {
    public func recordChange(_ change: Change) async throws {
        let rows = try await execute(
            "INSERT INTO changes (tenant_id, kind, subject, changed_at) VALUES ($1, $2, $3, $4) RETURNING seq",
            [.uuid(change.tenantID), .text(change.kind.rawValue), .text(change.subject), .date(change.changedAt)])
        if dialect == .postgres, let sequence = try rows.first?.int("seq") {
            // Delivered at commit, to every instance LISTENing; nothing if the transaction rolls back.
            try await execute("SELECT pg_notify($1, $2)", [.text(ChangeFeedChannel.name), .text(String(sequence))])
        }
    }

    public func changes(after sequence: Int, limit: Int) async throws -> [Change] {
        try await execute("SELECT * FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2", [.int(sequence), .int(limit)])
            .compactMap(Change.init(row:))
    }

    public func changes(sequences: [Int]) async throws -> [Change] {
        guard !sequences.isEmpty else { return [] }
        let placeholders = sequences.indices.map { "$\($0 + 1)" }.joined(separator: ", ")
        return try await execute(
            "SELECT * FROM changes WHERE seq IN (\(placeholders)) ORDER BY seq", sequences.map { .int($0) }
        ).compactMap(Change.init(row:))
    }

    public func latestChangeSequence() async throws -> Int {
        try await first("SELECT COALESCE(MAX(seq), 0) AS seq FROM changes", [])?.int("seq") ?? 0
    }

    /// The horizon moves in the transaction that deletes, so no follower ever sees an entry gone
    /// without the horizon saying so.
    public func purgeChanges(before date: Date, batch: Int) async throws -> Int {
        let removed = try await execute(
            """
            DELETE FROM changes WHERE seq IN (
                SELECT seq FROM changes WHERE changed_at < $1 ORDER BY changed_at LIMIT $2
            ) RETURNING seq
            """, [.date(date), .int(batch)]
        ).map { try $0.int("seq") }
        guard let newest = removed.max() else { return 0 }
        try await execute(
            """
            UPDATE change_horizon SET purged_through = CASE WHEN purged_through < $1 THEN $1 ELSE purged_through END
            WHERE id = 1
            """, [.int(newest)])
        return removed.count
    }

    public func changeHorizon() async throws -> Int {
        try await first("SELECT purged_through FROM change_horizon WHERE id = 1", [])?.int("purged_through") ?? 0
    }
}

extension Change {
    /// Nil for a kind this version does not know (written by a newer one): skipped, not fatal.
    init?(row: SQLRow) throws {
        guard let kind = Change.Kind(rawValue: try row.string("kind")) else { return nil }
        self.init(
            sequence: try row.int("seq"), tenantID: try row.uuid("tenant_id"), kind: kind,
            subject: try row.string("subject"), changedAt: try row.date("changed_at"))
    }
}
