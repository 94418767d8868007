import Foundation
import TesseraCore

extension SQLExecutor {
    /// Append-only: there is no update or delete of audit rows anywhere in Tessera.
    public func appendAudit(_ event: AuditEvent) async throws {
        try await execute(
            """
            INSERT INTO audit_events (tenant_id, id, occurred_at, actor, action, target, request_id, details)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """,
            [
                .uuid(event.tenantID), .uuid(event.id), .date(event.occurredAt), .text(event.actor),
                .text(event.action), .text(event.target), event.requestID.map(SQLValue.text) ?? .null,
                .text(event.details),
            ])
    }

    public func auditEvents(tenantID: UUID, after cursor: UUID?, limit: Int) async throws -> [AuditEvent] {
        let rows: [SQLRow]
        if let cursor,
            let anchor = try await first(
                "SELECT occurred_at FROM audit_events WHERE tenant_id = $1 AND id = $2",
                [.uuid(tenantID), .uuid(cursor)])
        {
            let time = try anchor.date("occurred_at")
            rows = try await execute(
                """
                SELECT * FROM audit_events
                WHERE tenant_id = $1 AND (occurred_at > $2 OR (occurred_at = $2 AND id > $3))
                ORDER BY occurred_at, id LIMIT $4
                """,
                [.uuid(tenantID), .date(time), .uuid(cursor), .int(limit)])
        } else {
            rows = try await execute(
                "SELECT * FROM audit_events WHERE tenant_id = $1 ORDER BY occurred_at, id LIMIT $2",
                [.uuid(tenantID), .int(limit)])
        }
        return try rows.map {
            AuditEvent(
                tenantID: try $0.uuid("tenant_id"), id: try $0.uuid("id"), occurredAt: try $0.date("occurred_at"),
                actor: try $0.string("actor"), action: try $0.string("action"), target: try $0.string("target"),
                requestID: try $0.optionalString("request_id"), details: try $0.string("details"))
        }
    }
}
