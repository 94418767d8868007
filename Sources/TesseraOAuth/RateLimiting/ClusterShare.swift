import Synchronization

/// How many instances serve the cluster right now, as the heartbeat last counted them
/// (docs/cluster-limits.md). Read on every rate-limited request, so it is one atomic load, not
/// an actor hop or a database round trip; written every couple of seconds by `ClusterHeartbeat`.
public final class ClusterShare: Sendable {
    private let instances = Atomic<Int>(1)

    public init() {}

    public var instanceCount: Int { instances.load(ordering: .relaxed) }

    func update(instanceCount: Int) {
        instances.store(max(1, instanceCount), ordering: .relaxed)
    }
}
