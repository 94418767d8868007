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
        // database answers within a second. The body says which paths serve meanwhile
        // (docs/database-failover.md); the status stays 200 or 503 (INTERFACE.md).
        router.get("/readyz") { _, context in
            let phase = await readiness.phase.current
            guard phase == .serving else {
                return JSONResponse.make(
                    ["status": "unavailable", "phase": phase.rawValue], status: .serviceUnavailable,
                    headers: [.cacheControl: "no-store"])
            }
            let report = await readiness.report(timeout: .seconds(1))
            if let problem = report.problem {
                context.logger.warning("Not ready", metadata: ["error": "\(problem)", "status": "\(report.status)"])
            }
            return JSONResponse.make(
                report.body, status: report.databaseReachable ? .ok : .serviceUnavailable,
                headers: [.cacheControl: "no-store"])
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
    }
}
