import Logging
import ServiceLifecycle

/// The loop of every scheduled job: a round every `interval` until graceful shutdown. A failed
/// round is logged and tried again next time; cancellation at shutdown ends quietly.
func runPeriodically(
    every interval: Duration, logger: Logger, job: String, _ round: @escaping @Sendable () async throws -> Void
) async {
    await cancelWhenGracefulShutdown {
        while !Task.isCancelled {
            do {
                try await round()
            } catch is CancellationError {
                return
            } catch {
                logger.warning("\(job) failed; will retry", metadata: ["error": "\(error)"])
            }
            guard (try? await Task.sleep(for: interval)) != nil else { return }
        }
    }
}
