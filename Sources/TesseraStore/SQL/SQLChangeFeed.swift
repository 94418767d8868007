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
            .compactMap { row in
                // A kind this version does not know (written by a newer one) is skipped, not fatal.
                guard let kind = Change.Kind(rawValue: try row.string("kind")) else { return nil }
                return Change(
                    sequence: try row.int("seq"), tenantID: try row.uuid("tenant_id"), kind: kind,
                    subject: try row.string("subject"), changedAt: try row.date("changed_at"))
            }
    }

    public func latestChangeSequence() async throws -> Int {
        try await first("SELECT COALESCE(MAX(seq), 0) AS seq FROM changes", [])?.int("seq") ?? 0
    }

    public func purgeChanges(before date: Date) async throws {
        try await execute("DELETE FROM changes WHERE changed_at < $1", [.date(date)])
    }
}
