import Foundation

/// The scope names each tenant's metadata listed last, so discovery keeps answering from memory
/// while the database is unreachable (docs/database-failover.md). Scopes are only ever added, so
/// the last list read is at worst short of one created during the outage.
actor LastReadScopes {
    private var byTenant: [UUID: [String]] = [:]

    func remember(_ names: [String], tenantID: UUID) { byTenant[tenantID] = names }

    func names(tenantID: UUID) -> [String]? { byTenant[tenantID] }
}
