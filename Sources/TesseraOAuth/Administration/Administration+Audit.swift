import Foundation
import TesseraCore
import TesseraStore

// The audit log of one tenant: append-only, read oldest first.

extension Administration {
    /// A page of the tenant's audit events after the event `cursor`; a cursor that names no
    /// event reads as past the end.
    public func auditEvents(in tenant: Tenant, after cursor: String?, limit: Int) async throws -> [AuditEvent] {
        if let cursor, UUID(uuidString: cursor) == nil { return [] }
        return try await store.auditEvents(
            tenantID: tenant.id, after: cursor.flatMap(UUID.init(uuidString:)), limit: limit)
    }
}
