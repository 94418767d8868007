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
public actor CacheFreshness {
    public let limit: Duration
    private var lastCaughtUp = ContinuousClock.now
    private var lastAttemptFailed = false

    public init(limit: Duration) { self.limit = limit }

    /// The feed was read up to its end.
    func caughtUp() {
        lastCaughtUp = .now
        lastAttemptFailed = false
    }

    /// Reading the feed failed.
    func missed() { lastAttemptFailed = true }

    /// Whether the caches may still answer: the last read of the feed succeeded, or one did
    /// less than `limit` ago.
    public var isServing: Bool {
        !lastAttemptFailed || lastCaughtUp.duration(to: .now) < limit
    }

    /// Whole seconds since the feed was last read, for `/readyz`.
    public var secondsSinceCaughtUp: Int {
        Int(lastCaughtUp.duration(to: .now).components.seconds)
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
