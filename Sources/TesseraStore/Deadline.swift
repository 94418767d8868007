import Synchronization

/// Runs `body`, or throws `.unavailable` once `timeout` has passed, whether or not `body` has
/// returned by then (docs/database-failover.md).
///
/// A task group would wait for its child after cancelling it, and not every wait in the
/// database driver ends on cancellation: a query written to a connection that closed at that
/// moment is dropped without failing its promise, and whoever awaits it waits for ever. So the
/// body runs in a task of its own, cancelled and left behind at the deadline; the caller gets its
/// answer (a 503) on time. Cancelling the caller cancels the body and answers at once too.
public func withDeadline<T: Sendable>(
    _ timeout: Duration, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await abandoning(after: timeout, body)
}

/// Runs `body` until it returns or the caller is cancelled, whichever comes first: what holds a
/// connection for as long as it runs (a LISTEN) and must still let a shutdown go on at once.
public func withAbandonOnCancel<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await abandoning(after: nil, body)
}

private func abandoning<T: Sendable>(
    after timeout: Duration?, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let outcome = DeadlineOutcome<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            guard outcome.start(continuation) else { return }
            let work = Task {
                do {
                    outcome.finish(.success(try await body()))
                } catch {
                    outcome.finish(.failure(error))
                }
            }
            let timer = Task {
                guard let timeout, (try? await Task.sleep(for: timeout)) != nil else { return }
                if outcome.finish(.failure(StoreError.unavailable("no answer within \(timeout)"))) { work.cancel() }
            }
            outcome.started(work: work, timer: timer)
        }
    } onCancel: {
        outcome.cancel()
    }
}

/// The one answer of a `withDeadline`: whichever of the body, the timer and the caller's
/// cancellation comes first resumes the caller; the others find it taken.
private final class DeadlineOutcome<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var work: Task<Void, Never>?
        var timer: Task<Void, Never>?
        var answered = false
        var cancelled = false
    }
    private let state = Mutex(State())

    /// False when the caller was cancelled before the body could start: answered here then.
    func start(_ continuation: CheckedContinuation<T, any Error>) -> Bool {
        let cancelled = state.withLock { state in
            if !state.cancelled { state.continuation = continuation }
            return state.cancelled
        }
        if cancelled { continuation.resume(throwing: CancellationError()) }
        return !cancelled
    }

    /// Keeps the tasks to cancel; a cancellation that came before they existed takes effect now.
    func started(work: Task<Void, Never>, timer: Task<Void, Never>) {
        let cancelledAlready = state.withLock { state in
            state.work = work
            state.timer = timer
            return state.cancelled
        }
        if cancelledAlready { cancel() }
    }

    /// Resumes the caller unless someone did already; true when this was the answer.
    @discardableResult
    func finish(_ result: Result<T, any Error>) -> Bool {
        let (continuation, timer) = state.withLock {
            state -> (CheckedContinuation<T, any Error>?, Task<Void, Never>?) in
            guard !state.answered, let continuation = state.continuation else { return (nil, nil) }
            state.answered = true
            state.continuation = nil
            return (continuation, state.timer)
        }
        guard let continuation else { return false }
        timer?.cancel()
        continuation.resume(with: result)
        return true
    }

    func cancel() {
        let work = state.withLock { state in
            state.cancelled = true
            return state.work
        }
        work?.cancel()
        finish(.failure(CancellationError()))
    }
}
