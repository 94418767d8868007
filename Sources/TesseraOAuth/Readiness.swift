import TesseraStore

/// What `/readyz` asks: whether the database answers in time. Keys are loaded per tenant on
/// first use, so a ready instance is one that can reach its store.
public struct Readiness: Sendable {
    let store: any Store

    public init(store: any Store) { self.store = store }

    public func check(timeout: Duration) async throws {
        try await store.checkHealth(timeout: timeout)
    }
}
