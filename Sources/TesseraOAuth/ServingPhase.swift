/// Where this process stands between start and exit, for `/readyz` (docs/rolling-restarts.md):
/// `starting` until the change feed has been caught up once after the caches were loaded,
/// `serving` after that, `draining` from the first SIGTERM/SIGINT on. Only `serving` is ready,
/// so a balancer that asks `/readyz` sends nothing to an instance that is not yet, or no longer,
/// whole.
public actor ServingPhase {
    public enum Phase: String, Sendable {
        case starting, serving, draining
    }

    public private(set) var current = Phase.starting
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init() {}

    /// Startup is complete (migrations, system tenant, keys, one round of the change feed).
    /// Never moves a draining process back to serving.
    public func markStarted() {
        if current == .starting { current = .serving }
        resumeWaiters()
    }

    /// Shutdown has begun: not ready any more, whatever happens next.
    public func markDraining() {
        current = .draining
        resumeWaiters()
    }

    /// Returns once the phase is no longer `starting`.
    public func waitUntilStarted() async {
        guard current == .starting else { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func resumeWaiters() {
        let waiting = waiters
        waiters = []
        for waiter in waiting { waiter.resume() }
    }
}
