import Foundation
import TesseraCore
import TesseraStore

// The protected resources of a tenant (INTERFACE.md `tessera resource create`): kept on the
// tenant, so every instance's cache of it knows them and a change reaches all within a second.

extension Administration {
    /// The tenant's resources as stored: the caller's copy of the tenant may come from an
    /// instance's cache, which the change feed refreshes within a second, and an administrator
    /// reads what they just wrote.
    public func resources(of tenant: Tenant) async throws -> [ProtectedResource] {
        try await stored(tenant).resources
    }

    private func stored(_ tenant: Tenant) async throws -> Tenant {
        guard let stored = try await store.tenant(slug: tenant.slug), stored.id == tenant.id else {
            throw AdministrationError.unknownTenant(tenant.slug.rawValue)
        }
        return stored
    }

    /// Registers `identifier` with the scopes it accepts, each one the tenant has.
    public func createResource(
        in cached: Tenant, identifier: String, name: String?, scopes: [String], actor: String, requestID: String? = nil
    ) async throws -> ProtectedResource {
        let tenant = try await stored(cached)
        let identifier = try ProtectedResource.validateIdentifier(identifier)
        guard !tenant.resources.contains(where: { $0.identifier == identifier }) else {
            throw AdministrationError.duplicate("resource '\(identifier)'")
        }
        guard tenant.resources.count < ProtectedResource.maximumPerTenant else {
            throw ValidationError(
                field: "identifier", "a tenant holds at most \(ProtectedResource.maximumPerTenant) resources")
        }
        let known = Set(try await store.scopes(tenantID: tenant.id).map(\.name))
        if let unknown = scopes.first(where: { !known.contains($0) }) {
            throw AdministrationError.unknownScope(unknown)
        }
        let resource = ProtectedResource(
            identifier: identifier, name: try Tenant.validateName(name ?? identifier), scopes: Self.unique(scopes))
        var updated = tenant
        updated.resources.append(resource)
        _ = try await save(
            updated,
            AuditRecord(
                action: .resourceCreate, target: identifier, details: AuditDetails().strings("scopes", resource.scopes)),
            actor: actor, requestID: requestID)
        return resource
    }

    public func deleteResource(
        in cached: Tenant, identifier: String, actor: String, requestID: String? = nil
    ) async throws {
        let tenant = try await stored(cached)
        guard tenant.resources.contains(where: { $0.identifier == identifier }) else {
            throw AdministrationError.unknownResource(identifier)
        }
        var updated = tenant
        updated.resources.removeAll { $0.identifier == identifier }
        _ = try await save(
            updated, AuditRecord(action: .resourceDelete, target: identifier), actor: actor, requestID: requestID)
    }
}
