import Foundation
import Logging
import ServiceLifecycle
import TesseraStore

/// Tells the other instances this one is serving, and learns how many there are, so every
/// request budget is divided among them (docs/cluster-limits.md). Beats every `interval`; an
/// instance whose last beat is older than `missedBeats` intervals no longer counts (it was killed
/// or cut off), and one leaving gracefully removes its row at once.
///
/// When the database does not answer, the last count stands: guessing fewer instances would let
/// the cluster exceed its budgets, and more would starve it.
public struct ClusterHeartbeat: Service {
    let registry: any InstanceRegistry
    let share: ClusterShare
    let interval: Duration
    let logger: Logger
    let instance = UUID()
    let startedAt = Date()
    static let missedBeats = 3.0
    /// Rows of instances silent this long go (the count ignores them long before).
    static let forgetAfter: TimeInterval = 3_600

    public init(registry: any InstanceRegistry, share: ClusterShare, interval: Duration, logger: Logger) {
        self.registry = registry
        self.share = share
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await runPeriodically(every: interval, logger: logger, job: "Cluster heartbeat") { try await beat() }
        // Graceful shutdown: the others divide by one fewer from their next beat.
        try? await registry.removeInstance(instance)
    }

    func beat(now: Date = Date()) async throws {
        let live = try await registry.heartbeat(
            instance: instance, startedAt: startedAt, at: now,
            liveSince: now.addingTimeInterval(-Self.missedBeats * interval.inSeconds),
            forgetBefore: now.addingTimeInterval(-Self.forgetAfter))
        let before = share.instanceCount
        share.update(instanceCount: live)
        if live != before {
            logger.info(
                "Instances serving the cluster changed; each request budget is divided among them",
                metadata: ["instances": "\(live)", "was": "\(before)"])
        }
    }
}
