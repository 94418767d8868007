import Foundation
import TesseraCore
import TesseraStore

/// Clients from memory, so issuing a client-credentials token reads no database row. An entry
/// is dropped when the change feed reports its client changed; unknown ids are remembered too
/// (guessing ids costs no queries) until any client of that tenant changes. The cache is bounded:
/// past `capacity` entries it starts over, which costs one query per client afterwards.
public actor CachedClientDirectory: ClientDirectory {
    struct Key: Hashable {
        let tenantID: UUID
        let id: String
    }

    let store: any ClientStore
    let capacity: Int
    private var entries: [Key: Client?] = [:]

    public init(store: any ClientStore, capacity: Int = 200_000) {
        self.store = store
        self.capacity = capacity
    }

    public func client(tenantID: UUID, id: String) async throws -> Client? {
        let key = Key(tenantID: tenantID, id: id)
        if let cached = entries[key] { return cached }
        let client = try await store.client(tenantID: tenantID, id: id)
        if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        entries[key] = .some(client)
        return client
    }

    /// A client of `tenantID` changed: forget it, and every remembered miss of that tenant (the
    /// change may be its creation).
    public func invalidate(tenantID: UUID, clientID: String) {
        entries = entries.filter { key, value in
            key.tenantID != tenantID || (key.id != clientID && value != nil)
        }
    }

    public func removeAll() { entries.removeAll() }
}
