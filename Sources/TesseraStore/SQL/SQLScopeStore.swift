import Foundation
import TesseraCore

extension SQLExecutor {
    public func insertScope(_ scope: Scope) async throws {
        try await execute(
            "INSERT INTO scopes (tenant_id, name, description, created_at) VALUES ($1, $2, $3, $4)",
            [.uuid(scope.tenantID), .text(scope.name), .text(scope.description), .date(scope.createdAt)])
    }

    public func scopes(tenantID: UUID) async throws -> [Scope] {
        try await execute("SELECT * FROM scopes WHERE tenant_id = $1 ORDER BY name", [.uuid(tenantID)]).map {
            Scope(
                tenantID: try $0.uuid("tenant_id"), name: try $0.string("name"),
                description: try $0.string("description"), createdAt: try $0.date("created_at"))
        }
    }
}
