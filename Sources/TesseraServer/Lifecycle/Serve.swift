import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// `tessera serve` from start to exit (docs/rolling-restarts.md).
///
/// Start: the listener opens only after the `system` tenant and its keys are cached and the
/// change feed has been caught up once (`ServingPhase`), so nothing is served half-initialised
/// and `/readyz` is 200 from the first answer on.
///
/// Shutdown, on the first SIGTERM or SIGINT: `/readyz` answers 503 `draining`, responses carry
/// `Connection: close`, and Hummingbird's graceful shutdown closes the listener and finishes the
/// requests in flight; idle keep-alive connections get the first half of the bound to be closed
/// by their client (`ConnectionDrain`); then the background services stop and the store closes.
/// swift-service-lifecycle has no bound of its own on all of that and ignores a second signal of
/// the same kind, so both are here: the process exits (status 1, with a log line) when the bound
/// (`TESSERA_SHUTDOWN_TIMEOUT`, 10 s) has passed, or at once on a second SIGTERM or SIGINT.
public func serve(runtime: TesseraRuntime) async throws {
    let app = buildApplication(
        runtime: runtime, services: runtime.backgroundServices,
        beforeServing: {
            try await runtime.warmUp()
            await runtime.serving.waitUntilStarted()
        })
    let group = ServiceGroup(configuration: .init(services: [app], logger: runtime.logger))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        tasks.addTask {
            var draining = false
            for await signal in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
                if draining {
                    runtime.logger.warning("Second \(signal) during shutdown: exiting now")
                    exit(1)
                }
                draining = true
                await beginShutdown(runtime: runtime, signal: signal)
                await group.triggerGracefulShutdown()
            }
        }
        _ = try await tasks.next()
        tasks.cancelAll()
    }
    runtime.logger.notice("Requests finished and background services stopped; closing the store")
}

/// Stops being ready, starts the drain, and arms the two timers of the shutdown.
private func beginShutdown(runtime: TesseraRuntime, signal: UnixSignal) async {
    let bound = runtime.configuration.shutdownTimeout
    let logger = runtime.logger
    runtime.connections.begin()
    await runtime.serving.markDraining()
    logger.notice(
        "\(signal) received: not ready any more; finishing requests in flight, then exiting",
        metadata: ["bound": "\(bound)"])
    let connections = runtime.connections
    Task.detached {
        try? await Task.sleep(for: bound / 2)
        connections.release()
    }
    Task.detached {
        try? await Task.sleep(for: bound)
        logger.error("Shutdown did not finish within \(bound): exiting anyway")
        exit(1)
    }
}
