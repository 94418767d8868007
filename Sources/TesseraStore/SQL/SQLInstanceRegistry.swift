import Foundation
import TesseraCore

// The heartbeat table (docs/cluster-limits.md): three short statements every couple of seconds
// per instance, never on a request path.

extension SQLExecutor {
    public func heartbeat(
        instance: UUID, startedAt: Date, at date: Date, liveSince: Date, forgetBefore: Date
    )
        async throws -> Int
    {
        try await execute(
            """
            INSERT INTO instances (id, started_at, heartbeat_at) VALUES ($1, $2, $3)
            ON CONFLICT (id) DO UPDATE SET heartbeat_at = $3
            """, [.uuid(instance), .date(startedAt), .date(date)])
        try await execute("DELETE FROM instances WHERE heartbeat_at < $1", [.date(forgetBefore)])
        let live = try await first(
            "SELECT COUNT(*) AS live FROM instances WHERE heartbeat_at >= $1 OR id = $2",
            [.date(liveSince), .uuid(instance)])
        return max(1, try live?.int("live") ?? 1)
    }

    public func removeInstance(_ instance: UUID) async throws {
        try await execute("DELETE FROM instances WHERE id = $1", [.uuid(instance)])
    }
}
