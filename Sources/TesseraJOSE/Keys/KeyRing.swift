import Foundation
import TesseraCore

/// Every tenant's loaded keys, in memory: the token endpoint signs from here without touching
/// the database.
///
/// The server fills it from the store at start and refreshes a tenant whenever its keys change
/// (LISTEN/NOTIFY, or polling). `keys(for:)` hands out the tenant's immutable `TenantKeys`, so a
/// request pays one actor hop to fetch it and none to sign.
public actor KeyRing {
    private let masterKey: MasterKey
    private var tenants: [UUID: TenantKeys] = [:]
    /// The latest `install` or `remove` started per tenant. Loading awaits (jwt-kit's key objects
    /// come from an actor), so two installs for one tenant can interleave; only the one started
    /// last may store its result, and a `remove` beats every install begun before it.
    private var latestTicket: [UUID: UInt64] = [:]
    private var ticketCounter: UInt64 = 0

    public init(masterKey: MasterKey) {
        self.masterKey = masterKey
    }

    /// Loads `records` (all of the tenant's keys, any state) and replaces the tenant's entry.
    /// On error the tenant's previous entry stays as it was.
    /// Returns the keys it opened, whether or not a later install or removal superseded them
    /// meanwhile: they are the stored keys as just read, right for the request that asked, and
    /// reading the ring back after this await could find it emptied by a reset.
    @discardableResult
    public func install(tenantID: UUID, records: [SigningKeyRecord]) async throws(KeyError) -> TenantKeys {
        let ticket = nextTicket(for: tenantID)
        let keys = try await TenantKeys(tenantID: tenantID, records: records, masterKey: masterKey)
        if latestTicket[tenantID] == ticket { tenants[tenantID] = keys }
        return keys
    }

    /// The tenant's keys, or nil if the tenant was never installed (or was removed).
    public func keys(for tenantID: UUID) -> TenantKeys? {
        tenants[tenantID]
    }

    /// The tenant's JWKS document (JSON and ETag).
    public func jwks(for tenantID: UUID) -> JWKSDocument? {
        tenants[tenantID]?.jwks
    }

    /// Forgets the tenant (deleted or disabled): its tokens stop verifying here at once.
    public func remove(tenantID: UUID) {
        _ = nextTicket(for: tenantID)
        tenants[tenantID] = nil
    }

    /// The tenants currently loaded.
    public var tenantIDs: [UUID] { Array(tenants.keys) }

    private func nextTicket(for tenantID: UUID) -> UInt64 {
        ticketCounter += 1
        latestTicket[tenantID] = ticketCounter
        return ticketCounter
    }
}
