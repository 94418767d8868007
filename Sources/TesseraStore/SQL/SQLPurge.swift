import Foundation
import TesseraCore

extension SQLExecutor {
    /// Deletes up to `batch` rows that expired before `date` from each table of short-lived
    /// records; returns how many went. Small batches keep each transaction short, so purging
    /// never blocks the writes it runs beside.
    public func purgeExpired(before date: Date, batch: Int) async throws -> Int {
        var removed = 0
        for (table, key) in [
            ("revoked_tokens", "tenant_id, jti"), ("client_assertions", "tenant_id, client_id, jti"),
            ("dpop_proofs", "tenant_id, jkt, jti"), ("webauthn_challenges", "tenant_id, ceremony, jti"),
            ("family_access_tokens", "tenant_id, jti"),
            ("authorization_codes", "tenant_id, code_hash"), ("refresh_tokens", "tenant_id, token_hash"),
            ("device_codes", "tenant_id, device_code_hash"), ("pushed_requests", "tenant_id, handle_hash"),
            ("sessions", "tenant_id, sid"), ("session_clients", "tenant_id, sid, client_id"),
            ("login_failures", "tenant_id, subject"),
        ] {
            removed += try await execute(
                """
                DELETE FROM \(table) WHERE (\(key)) IN (
                    SELECT \(key) FROM \(table) WHERE expires_at < $1 LIMIT $2
                ) RETURNING tenant_id
                """, [.date(date), .int(batch)]
            ).count
        }
        // An ended session's row has done its work: a cookie naming a missing row is refused too.
        removed += try await execute(
            """
            DELETE FROM sessions WHERE (tenant_id, sid) IN (
                SELECT tenant_id, sid FROM sessions WHERE ended_at < $1 LIMIT $2
            ) RETURNING tenant_id
            """, [.date(date), .int(batch)]
        ).count
        return removed
    }
}
