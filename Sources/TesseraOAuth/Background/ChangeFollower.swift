import Foundation
import Logging
import ServiceLifecycle
import TesseraCore
import TesseraStore

/// Keeps this instance's caches current with changes committed anywhere: woken at once by
/// PostgreSQL NOTIFY, and polling every `pollInterval` in case a notification was missed (or on
/// SQLite, where the CLI changes the file from another process).
public struct ChangeFollower: Service {
    let store: any Store
    let tenants: TenantDirectory
    let clients: CachedClientDirectory
    let revocations: RevocationList
    /// Told after each read of the feed, so the stateless paths know how current they are.
    let freshness: CacheFreshness
    /// Where the feed stood before this process cached anything.
    let startPosition: Int
    let pollInterval: Duration
    /// Told once the feed has been caught up for the first time: until then `/readyz` says
    /// `starting` (docs/rolling-restarts.md).
    let phase: ServingPhase?
    let logger: Logger

    public init(
        store: any Store, tenants: TenantDirectory, clients: CachedClientDirectory, revocations: RevocationList,
        freshness: CacheFreshness, startPosition: Int, pollInterval: Duration, phase: ServingPhase? = nil,
        logger: Logger
    ) {
        self.freshness = freshness
        self.store = store
        self.tenants = tenants
        self.clients = clients
        self.revocations = revocations
        self.startPosition = startPosition
        self.pollInterval = pollInterval
        self.phase = phase
        self.logger = logger
    }

    /// How long one read of the feed may take before it counts as failed.
    static let readDeadline: Duration = .seconds(2)

    public func run() async throws {
        var cursor = ChangeFeedCursor(position: startPosition)
        var caughtUpOnce = false
        let (wakes, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        // The first round runs at once, not after the first poll interval: startup waits for it.
        continuation.yield()
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await listen(continuation) }
                group.addTask {
                    while (try? await Task.sleep(for: pollInterval)) != nil {
                        continuation.yield()
                    }
                }
                for await _ in wakes {
                    let complete = await catchUp(&cursor)
                    if complete, !caughtUpOnce {
                        caughtUpOnce = true
                        await phase?.markStarted()
                    }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            continuation.finish()
        }
    }

    /// Holds a LISTEN connection; reconnects with a pause when it drops (database restart, or a
    /// failover: the store then listens on the new primary). A drop also reads the feed at once,
    /// so an outage is noticed without waiting for the next poll.
    private func listen(_ continuation: AsyncStream<Void>.Continuation) async {
        while !Task.isCancelled {
            do {
                try await store.listenForChanges { continuation.yield() }
            } catch {
                if Task.isCancelled { return }
                logger.debug("Change notifications interrupted; polling meanwhile", metadata: ["error": "\(error)"])
                continuation.yield()
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Applies every change not applied yet; false when the store failed on the way.
    private func catchUp(_ cursor: inout ChangeFeedCursor) async -> Bool {
        let store = self.store
        do {
            while true {
                // Bounded, so a database that does not answer counts as missed (CacheFreshness)
                // instead of holding the follower until the pool gives up.
                let after = cursor.newest
                let changes = try await withDeadline(Self.readDeadline) {
                    try await store.changes(after: after, limit: 500)
                }
                for change in cursor.take(changes, now: Date()) { try await apply(change) }
                if changes.count < 500 { break }
            }
            if !cursor.missing.isEmpty || cursor.overflowed {
                // A second look at the gaps: entries of transactions that committed late.
                let missing = Array(cursor.missingSequences.prefix(500))
                let late = try await withDeadline(Self.readDeadline) { try await store.changes(sequences: missing) }
                for change in cursor.take(late, now: Date()) { try await apply(change) }
                let horizon = try await withDeadline(Self.readDeadline) { try await store.changeHorizon() }
                if cursor.settle(horizon: horizon, now: Date()) {
                    // History this instance had not read was purged: it cannot know what it missed.
                    logger.notice("Change feed history was purged past this instance's position; reloading caches")
                    await tenants.reset()
                    await clients.removeAll()
                    try await revocations.load(from: store)
                }
            }
            freshness.caughtUp()
            await revocations.prune()
            return true
        } catch {
            freshness.missed()
            logger.warning("Could not apply changes; will retry", metadata: ["error": "\(error)"])
            return false
        }
    }

    private func apply(_ change: Change) async throws {
        try await tenants.apply(change)
        switch change.kind {
        case .client:
            await clients.invalidate(tenantID: change.tenantID, clientID: change.subject)
        case .revokedToken:
            if let token = try await store.revokedToken(tenantID: change.tenantID, jti: change.subject) {
                await revocations.add(token)
            }
        case .keys, .tenant:
            break
        }
    }
}
