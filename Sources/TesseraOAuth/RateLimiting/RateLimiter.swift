import Foundation

/// Token buckets in memory, one per key (a client, an address). A budget of `rate` requests per
/// second is for the whole cluster: each of the N instances the heartbeat counts keeps a bucket
/// of `rate / N` per second with a burst of as much, so N instances behind a balancer that spreads
/// requests let through about `rate` together, without a database round trip per request
/// (docs/cluster-limits.md has the tolerance).
///
/// Keys are spread over several actors so the hot path does not queue behind one lock.
public struct RateLimiter: Sendable {
    let shards: [Shard]
    /// The live instance count each budget is divided by.
    public let cluster: ClusterShare

    public init(shards: Int = 16, capacityPerShard: Int = 50_000, cluster: ClusterShare = ClusterShare()) {
        self.shards = (0..<max(1, shards)).map { _ in Shard(capacity: capacityPerShard) }
        self.cluster = cluster
    }

    /// nil when the request may go ahead; otherwise how long to wait (the `Retry-After`).
    /// A rate of 0 means no limit.
    public func admit(_ key: String, rate: Int, now: ContinuousClock.Instant = .now) async -> Duration? {
        guard rate > 0 else { return nil }
        let share = Double(rate) / Double(cluster.instanceCount)
        // A share below one request a second still admits one at a time, at its pace.
        return await shard(for: key).admit(key, rate: share, burst: max(1, share), now: now)
    }

    /// `admit` with a budget per minute: for what is rare and costly (a client registration).
    public func admit(_ key: String, perMinute rate: Int, now: ContinuousClock.Instant = .now) async -> Duration? {
        guard rate > 0 else { return nil }
        let share = Double(rate) / Double(cluster.instanceCount)
        return await shard(for: key).admit(key, rate: share / 60, burst: max(1, share), now: now)
    }

    private func shard(for key: String) -> Shard {
        var hasher = Hasher()
        hasher.combine(key)
        return shards[Int(UInt(bitPattern: hasher.finalize()) % UInt(shards.count))]
    }

    actor Shard {
        struct Bucket {
            var tokens: Double
            var updated: ContinuousClock.Instant
        }

        let capacity: Int
        private var buckets: [String: Bucket] = [:]

        init(capacity: Int) { self.capacity = capacity }

        /// `rate` tokens a second into a bucket of `burst`.
        func admit(_ key: String, rate: Double, burst: Double, now: ContinuousClock.Instant) -> Duration? {
            var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated).inSeconds * rate)
            bucket.updated = now
            guard bucket.tokens >= 1 else {
                buckets[key] = bucket
                return .milliseconds(Int(((1 - bucket.tokens) / rate * 1_000).rounded(.up)))
            }
            bucket.tokens -= 1
            if buckets.count >= capacity, buckets[key] == nil { evictFull(now: now, refill: .seconds(burst / rate)) }
            buckets[key] = bucket
            return nil
        }

        /// Drops buckets that have refilled: forgetting them changes nothing.
        private func evictFull(now: ContinuousClock.Instant, refill: Duration) {
            buckets = buckets.filter { _, bucket in now - bucket.updated < refill }
            if buckets.count >= capacity { buckets.removeAll(keepingCapacity: true) }
        }
    }
}
