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
                .text(event.action.rawValue), .text(event.target), event.requestID.map(SQLValue.text) ?? .null,
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
        return try rows.map { row in
            let actionText = try row.string("action")
            guard let action = AuditAction(rawValue: actionText) else {
                throw StoreError.corrupt("audit event with unknown action '\(actionText)'")
            }
            return AuditEvent(
                tenantID: try row.uuid("tenant_id"), id: try row.uuid("id"), occurredAt: try row.date("occurred_at"),
                actor: try row.string("actor"), action: action, target: try row.string("target"),
                requestID: try row.optionalString("request_id"), details: try row.string("details"))
        }
    }
}
