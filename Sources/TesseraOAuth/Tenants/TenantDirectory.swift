import Foundation
import TesseraCore
import TesseraJOSE
import TesseraStore

/// The tenants and their loaded keys, as the hot path needs them: from memory. Entries load on
/// first use and are dropped by the change feed when a tenant or its keys change, so requests
/// never read the database for either, and a rotation made anywhere is used here within a second.
public actor TenantDirectory {
    let store: any Store
    let keyRing: KeyRing
    /// Bounds that keep memory flat with many tenants: past them, a tenth of the entries (chosen
    /// at random, a cheap stand-in for least-recently-used) is dropped and reloads on next use.
    let tenantCapacity: Int
    let keySetCapacity: Int
    private var bySlug: [TenantSlug: Tenant] = [:]
    private var loadedKeySets: Set<UUID> = []
    /// Unknown slugs are remembered too (until the next tenant change), so probing for tenants
    /// costs no query each.
    private var unknown: Set<TenantSlug> = []

    public init(store: any Store, keyRing: KeyRing, tenantCapacity: Int = 50_000, keySetCapacity: Int = 20_000) {
        self.store = store
        self.keyRing = keyRing
        self.tenantCapacity = max(1, tenantCapacity)
        self.keySetCapacity = max(1, keySetCapacity)
    }

    public func tenant(slug: TenantSlug) async throws -> Tenant? {
        if let tenant = bySlug[slug] { return tenant }
        if unknown.contains(slug) { return nil }
        guard let tenant = try await store.tenant(slug: slug) else {
            if unknown.count >= tenantCapacity { unknown.removeAll() }
            unknown.insert(slug)
            return nil
        }
        if bySlug.count >= tenantCapacity {
            for key in bySlug.keys.shuffled().prefix(max(1, tenantCapacity / 10)) { bySlug[key] = nil }
        }
        bySlug[slug] = tenant
        return tenant
    }

    /// The tenant's keys, loaded and installed in the key ring on first use.
    public func keys(for tenant: Tenant) async throws -> TenantKeys {
        if let keys = await keyRing.keys(for: tenant.id) { return keys }
        if loadedKeySets.count >= keySetCapacity {
            for id in loadedKeySets.shuffled().prefix(max(1, keySetCapacity / 10)) {
                loadedKeySets.remove(id)
                await keyRing.remove(tenantID: id)
            }
        }
        // The keys the install opened, not a read of the ring after it: a reset (the change
        // follower saw a gap in the feed) may empty the ring in between.
        let keys = try await keyRing.install(
            tenantID: tenant.id, records: try await store.signingKeys(tenantID: tenant.id))
        loadedKeySets.insert(tenant.id)
        return keys
    }

    /// Applies one change-feed entry.
    public func apply(_ change: Change) async throws {
        switch change.kind {
        case .tenant:
            bySlug = bySlug.filter { $0.value.id != change.tenantID }
            unknown.removeAll()
        case .keys:
            // Reload at once when the tenant is in use, so the next request signs with the new key.
            if await keyRing.keys(for: change.tenantID) != nil {
                try await keyRing.install(
                    tenantID: change.tenantID, records: try await store.signingKeys(tenantID: change.tenantID))
            }
        case .client, .revokedToken:
            break
        }
    }

    /// After missing changes (the feed was purged past us), start from the database again.
    public func reset() async {
        bySlug.removeAll()
        unknown.removeAll()
        loadedKeySets.removeAll()
        for id in await keyRing.tenantIDs { await keyRing.remove(tenantID: id) }
    }
}
