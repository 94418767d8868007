import Foundation
import TesseraCore
import TesseraStore

// Scopes of one tenant: the built-in ones come with the tenant; admins add their own.

extension Administration {
    public func scopes(in tenant: Tenant) async throws -> [Scope] {
        try await store.scopes(tenantID: tenant.id)
    }

    public func createScope(
        in tenant: Tenant, name: String, description: String?, actor: String, requestID: String? = nil
    ) async throws -> Scope {
        let scope = Scope(
            tenantID: tenant.id, name: try Scope.validateName(name),
            description: try Scope.validateDescription(description ?? ""), createdAt: clock())
        do {
            try await store.audited(
                AuditedChange(
                    tenantID: tenant.id, actor: actor, requestID: requestID, at: scope.createdAt,
                    records: [AuditRecord(action: .scopeCreate, target: scope.name)])
            ) { operations in try await operations.insertScope(scope) }
        } catch StoreError.conflict {
            throw AdministrationError.duplicate("scope '\(scope.name)' in tenant '\(tenant.slug)'")
        }
        return scope
    }
}
