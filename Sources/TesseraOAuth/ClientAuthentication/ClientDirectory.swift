import Foundation
import TesseraCore
import TesseraStore

/// Where client authentication finds registered clients. The token endpoint asks on every
/// request, so the server puts a cache (invalidated by the change feed) behind this seam; the
/// protocol logic does not care which.
public protocol ClientDirectory: Sendable {
    /// The client `id` of tenant `tenantID`, or nil when the tenant has no such client.
    func client(tenantID: UUID, id: String) async throws -> Client?
}

/// Reads every client straight from the store: correct, uncached, for tests and tools.
public struct StoreClientDirectory: ClientDirectory {
    private let store: any ClientStore

    public init(store: any ClientStore) {
        self.store = store
    }

    public func client(tenantID: UUID, id: String) async throws -> Client? {
        try await store.client(tenantID: tenantID, id: id)
    }
}
