import Hummingbird
import Prometheus
import TesseraOAuth

/// `/healthz`, `/readyz`, `/metrics`: what an orchestrator and a Prometheus scraper ask.
struct OperationsRoutes {
    let readiness: Readiness
    let registry: PrometheusCollectorRegistry

    func register(on router: Router<TesseraRequestContext>) {
        // Alive: the process answers. Nothing else is checked, so a database outage does not
        // get the process restarted.
        router.get("/healthz") { _, _ in
            JSONResponse.make(["status": "ok"], headers: [.cacheControl: "no-store"])
        }
        // Ready: startup is complete, no shutdown has begun (docs/rolling-restarts.md), and the
        // database answers within a second.
        router.get("/readyz") { _, context in
            let phase = await readiness.phase.current
            guard phase == .serving else {
                return JSONResponse.make(
                    ["status": "unavailable", "phase": phase.rawValue], status: .serviceUnavailable,
                    headers: [.cacheControl: "no-store"])
            }
            do {
                try await readiness.check(timeout: .seconds(1))
                return JSONResponse.make(["status": "ready", "database": "ok"], headers: [.cacheControl: "no-store"])
            } catch {
                context.logger.warning("Not ready", metadata: ["error": "\(error)"])
                return JSONResponse.make(
                    ["status": "unavailable", "database": "unreachable"], status: .serviceUnavailable,
                    headers: [.cacheControl: "no-store"])
            }
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
    }
}
