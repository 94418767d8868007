import Synchronization

/// How long this instance may keep answering from its caches while the change feed cannot be
/// read (docs/database-failover.md).
///
/// The stateless paths (client credentials with a secret, introspection of access tokens, JWKS,
/// discovery) need no database once the caches are warm, so they keep answering through an
/// outage. But a client, key or token revoked elsewhere reaches this instance only through the
/// change feed: once it has not been read for `limit`, those paths answer 503 too, since the
/// instance can no longer vouch for a revocation. The feed is read at least every poll interval,
/// and at once when the LISTEN connection drops, and a read without an answer in 2 s fails, so
/// serving stops at most `limit` plus one poll interval plus 2 s after the last successful read.
///
/// Asked on every token, introspection, JWKS and discovery request, so it is one uncontended
/// lock, not an actor every request would queue behind.
public final class CacheFreshness: Sendable {
    private struct State {
        var lastCaughtUp = ContinuousClock.now
        var lastAttemptFailed = false
    }

    public let limit: Duration
    private let state = Mutex(State())

    public init(limit: Duration) { self.limit = limit }

    /// The feed was read up to its end.
    func caughtUp() {
        state.withLock { $0 = State(lastCaughtUp: .now, lastAttemptFailed: false) }
    }

    /// Reading the feed failed.
    func missed() { state.withLock { $0.lastAttemptFailed = true } }

    /// Whether the caches may still answer: the last read of the feed succeeded, or one did
    /// less than `limit` ago.
    public var isServing: Bool {
        state.withLock { !$0.lastAttemptFailed || $0.lastCaughtUp.duration(to: .now) < limit }
    }
}

extension CacheFreshness {
    /// The answer of a stateless path once the caches are too old, nil while they may serve:
    /// `temporarily_unavailable` (503, RFC 6749 §4.1.2.1) with `Retry-After`.
    public func refusal() -> OAuthError? {
        guard !isServing else { return nil }
        var error = OAuthError(
            .temporarilyUnavailable, "the database has been unreachable too long to answer from memory; retry shortly")
        error.retryAfter = 2
        return error
    }
}
