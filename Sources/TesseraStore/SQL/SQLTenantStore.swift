import Foundation
import TesseraCore

extension SQLExecutor {
    public func insertTenant(_ tenant: Tenant) async throws {
        try await execute(
            """
            INSERT INTO tenants (id, slug, name, status, settings, version, created_at, updated_at, resources)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """,
            [
                .uuid(tenant.id), .text(tenant.slug.rawValue), .text(tenant.name), .text(tenant.status.rawValue),
                SQLJSON.encode(tenant.settings), .int(tenant.version), .date(tenant.createdAt),
                .date(tenant.updatedAt), SQLJSON.encode(tenant.resources),
            ])
    }

    public func tenant(slug: TenantSlug) async throws -> Tenant? {
        try await first("SELECT * FROM tenants WHERE slug = $1", [.text(slug.rawValue)]).map(Tenant.init(row:))
    }

    public func tenant(id: UUID) async throws -> Tenant? {
        try await first("SELECT * FROM tenants WHERE id = $1", [.uuid(id)]).map(Tenant.init(row:))
    }

    public func tenants(after cursor: TenantSlug?, limit: Int) async throws -> [Tenant] {
        try await execute(
            "SELECT * FROM tenants WHERE slug > $1 ORDER BY slug LIMIT $2",
            [.text(cursor?.rawValue ?? ""), .int(limit)]
        ).map(Tenant.init(row:))
    }

    /// Writes `tenant` over the stored row whose version is `tenant.version - 1`, like clients
    /// and users: a change made meanwhile is a conflict, never overwritten.
    public func updateTenant(_ tenant: Tenant) async throws {
        let rows = try await execute(
            """
            UPDATE tenants SET name = $2, status = $3, settings = $4, version = $5, updated_at = $6, resources = $8
            WHERE id = $1 AND version = $7 RETURNING id
            """,
            [
                .uuid(tenant.id), .text(tenant.name), .text(tenant.status.rawValue), SQLJSON.encode(tenant.settings),
                .int(tenant.version), .date(tenant.updatedAt), .int(tenant.version - 1),
                SQLJSON.encode(tenant.resources),
            ])
        guard !rows.isEmpty else {
            throw StoreError.conflict(
                "tenant \(tenant.slug) is missing or was changed since version \(tenant.version - 1)")
        }
    }
}

extension Tenant {
    init(row: SQLRow) throws {
        let slugText = try row.string("slug")
        guard let slug = try? TenantSlug(slugText), let status = Tenant.Status(rawValue: try row.string("status"))
        else { throw StoreError.corrupt("tenant \(slugText)") }
        self.init(
            id: try row.uuid("id"), slug: slug, name: try row.string("name"), status: status,
            settings: try row.json(TenantSettings.self, "settings"), version: try row.int("version"),
            createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at"))
        resources = try row.json([ProtectedResource].self, "resources")
    }
}
