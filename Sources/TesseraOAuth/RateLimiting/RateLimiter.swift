import Foundation

/// Token buckets in memory, one per key (a client, an address): `rate` requests per second with
/// a burst of `rate`. Limits are per instance; behind a load balancer of N instances a client gets
/// up to N times its rate, which is what per-instance memory can promise without a shared store.
///
/// Keys are spread over several actors so the hot path does not queue behind one lock.
public struct RateLimiter: Sendable {
    let shards: [Shard]

    public init(shards: Int = 16, capacityPerShard: Int = 50_000) {
        self.shards = (0..<max(1, shards)).map { _ in Shard(capacity: capacityPerShard) }
    }

    /// nil when the request may go ahead; otherwise how long to wait (the `Retry-After`).
    /// A rate of 0 means no limit.
    public func admit(_ key: String, rate: Int, now: ContinuousClock.Instant = .now) async -> Duration? {
        guard rate > 0 else { return nil }
        var hasher = Hasher()
        hasher.combine(key)
        let index = Int(UInt(bitPattern: hasher.finalize()) % UInt(shards.count))
        return await shards[index].admit(key, rate: Double(rate), now: now)
    }

    actor Shard {
        struct Bucket {
            var tokens: Double
            var updated: ContinuousClock.Instant
        }

        let capacity: Int
        private var buckets: [String: Bucket] = [:]

        init(capacity: Int) { self.capacity = capacity }

        func admit(_ key: String, rate: Double, now: ContinuousClock.Instant) -> Duration? {
            var bucket = buckets[key] ?? Bucket(tokens: rate, updated: now)
            bucket.tokens = min(rate, bucket.tokens + (now - bucket.updated).inSeconds * rate)
            bucket.updated = now
            guard bucket.tokens >= 1 else {
                buckets[key] = bucket
                return .milliseconds(Int(((1 - bucket.tokens) / rate * 1_000).rounded(.up)))
            }
            bucket.tokens -= 1
            if buckets.count >= capacity, buckets[key] == nil { evictFull(now: now, rate: rate) }
            buckets[key] = bucket
            return nil
        }

        /// Drops buckets that have refilled: forgetting them changes nothing.
        private func evictFull(now: ContinuousClock.Instant, rate: Double) {
            buckets = buckets.filter { _, bucket in
                let elapsed = now - bucket.updated
                return elapsed < .seconds(1)
            }
            if buckets.count >= capacity { buckets.removeAll(keepingCapacity: true) }
        }
    }
}
