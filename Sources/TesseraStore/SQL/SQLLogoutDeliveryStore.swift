import Foundation
import TesseraCore

extension SQLExecutor {
    public func insertLogoutDelivery(_ delivery: LogoutDelivery) async throws {
        try await execute(
            """
            INSERT INTO logout_deliveries (tenant_id, id, client_id, uri, sid, subject, jti, created_at, attempts,
                next_attempt_at, last_error)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            """,
            [
                .uuid(delivery.tenantID), .uuid(delivery.id), .text(delivery.clientID), .text(delivery.uri),
                .text(delivery.sid), .text(delivery.subject), .text(delivery.jti), .date(delivery.createdAt),
                .int(delivery.attempts), .date(delivery.nextAttemptAt), delivery.lastError.map(SQLValue.text) ?? .null,
            ])
    }

    public func claimLogoutDeliveries(at date: Date, leaseUntil: Date, limit: Int) async throws -> [LogoutDelivery] {
        // PostgreSQL: rows locked by another instance's claim are skipped, not waited for.
        let skipLocked = dialect == .postgres ? "FOR UPDATE SKIP LOCKED" : ""
        return try await execute(
            """
            UPDATE logout_deliveries SET attempts = attempts + 1, next_attempt_at = $2
            WHERE (tenant_id, id) IN (
                SELECT tenant_id, id FROM logout_deliveries WHERE next_attempt_at <= $1
                ORDER BY next_attempt_at LIMIT $3 \(skipLocked)
            )
            RETURNING *
            """, [.date(date), .date(leaseUntil), .int(limit)]
        ).map(LogoutDelivery.init(row:))
    }

    public func deleteLogoutDelivery(tenantID: UUID, id: UUID) async throws {
        try await execute(
            "DELETE FROM logout_deliveries WHERE tenant_id = $1 AND id = $2", [.uuid(tenantID), .uuid(id)])
    }

    public func rescheduleLogoutDelivery(tenantID: UUID, id: UUID, nextAttemptAt: Date, error: String) async throws {
        try await execute(
            "UPDATE logout_deliveries SET next_attempt_at = $3, last_error = $4 WHERE tenant_id = $1 AND id = $2",
            [.uuid(tenantID), .uuid(id), .date(nextAttemptAt), .text(String(error.prefix(500)))])
    }

    public func logoutDeliveries(tenantID: UUID) async throws -> [LogoutDelivery] {
        try await execute(
            "SELECT * FROM logout_deliveries WHERE tenant_id = $1 ORDER BY created_at, id", [.uuid(tenantID)]
        ).map(LogoutDelivery.init(row:))
    }
}

extension LogoutDelivery {
    init(row: SQLRow) throws {
        self.init(
            tenantID: try row.uuid("tenant_id"), id: try row.uuid("id"), clientID: try row.string("client_id"),
            uri: try row.string("uri"), sid: try row.string("sid"), subject: try row.string("subject"),
            jti: try row.string("jti"), createdAt: try row.date("created_at"), attempts: try row.int("attempts"),
            nextAttemptAt: try row.date("next_attempt_at"), lastError: try row.optionalString("last_error"))
    }
}
