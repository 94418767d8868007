import TesseraStore

/// What `/readyz` asks: whether this process finished starting and is not shutting down
/// (`ServingPhase`, docs/rolling-restarts.md), whether the database answers in time, and, when it
/// does not, whether the stateless paths still answer from memory (docs/database-failover.md).
/// Keys of other tenants than `system` are loaded per tenant on first use, from the store the
/// check probes.
public struct Readiness: Sendable {
    let store: any Store
    let freshness: CacheFreshness
    public let phase: ServingPhase

    public init(store: any Store, freshness: CacheFreshness, phase: ServingPhase = ServingPhase()) {
        self.store = store
        self.freshness = freshness
        self.phase = phase
    }

    public func check(timeout: Duration) async throws {
        try await store.checkHealth(timeout: timeout)
    }

    /// The database's answer within `timeout`, and which paths serve.
    public func report(timeout: Duration) async -> ReadinessReport {
        do {
            try await check(timeout: timeout)
            return ReadinessReport(databaseReachable: true, statelessServing: true, problem: nil)
        } catch {
            return ReadinessReport(
                databaseReachable: false, statelessServing: freshness.isServing, problem: "\(error)")
        }
    }
}

/// `/readyz`'s answer: ready (200) only with the database; degraded (503) while the stateless
/// paths answer from memory without it; unavailable (503) once they stopped too.
public struct ReadinessReport: Sendable, Equatable {
    public let databaseReachable: Bool
    public let statelessServing: Bool
    /// Why the database check failed, for the log; never sent.
    public let problem: String?

    public var status: String {
        databaseReachable ? "ready" : statelessServing ? "degraded" : "unavailable"
    }

    /// The body: `status`; `database` `ok` or `unreachable`; `stateless` and `stateful`, each
    /// `serving` or `unavailable`.
    public var body: [String: String] {
        [
            "status": status, "database": databaseReachable ? "ok" : "unreachable",
            "stateless": statelessServing ? "serving" : "unavailable",
            "stateful": databaseReachable ? "serving" : "unavailable",
        ]
    }
}
