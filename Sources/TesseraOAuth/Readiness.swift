import TesseraStore

/// What `/readyz` asks: whether this process finished starting and is not shutting down
/// (`ServingPhase`), and whether the database answers in time. Keys of other tenants than
/// `system` are loaded per tenant on first use, from the store the check probes.
public struct Readiness: Sendable {
    let store: any Store
    public let phase: ServingPhase

    public init(store: any Store, phase: ServingPhase = ServingPhase()) {
        self.store = store
        self.phase = phase
    }

    public func check(timeout: Duration) async throws {
        try await store.checkHealth(timeout: timeout)
    }
}
