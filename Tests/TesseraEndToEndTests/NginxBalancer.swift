import Foundation
import TesseraTestSupport

/// Debian's nginx balancing several `tessera serve` instances round-robin, configured as
/// docs/rolling-restarts.md recommends: upstream keep-alive connections closed by nginx after
/// `keepalive_timeout` (below Tessera's idle grace, half of `TESSERA_SHUTDOWN_TIMEOUT`), and
/// `proxy_next_upstream error timeout`, so a request that could not be sent to an instance
/// (connection refused while it restarts) goes to the next one. POSTs already sent are never
/// retried (nginx's rule without `non_idempotent`, which token requests must not have).
final class NginxBalancer: @unchecked Sendable {
    let process: Process
    let port: Int
    let directory: URL

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var errorLog: String {
        (try? String(contentsOf: directory.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
    }

    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: NginxMutualTLSProxy.executable) }

    /// The `upstream` block and `location` an operator copies (docs/rolling-restarts.md).
    static func upstreamBlock(ports: [Int], keepaliveTimeout: Int) -> String {
        """
            upstream tessera {
                \(ports.map { "server 127.0.0.1:\($0) max_fails=1 fail_timeout=2s;" }.joined(separator: "\n        "))
                keepalive 32;
                keepalive_timeout \(keepaliveTimeout)s;
            }
        """
    }

    static let location = """
                location / {
                    proxy_pass http://tessera;
                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                    proxy_set_header Host $host;
                    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                    proxy_next_upstream error timeout;
                    proxy_connect_timeout 2s;
                }
        """

    private init(process: Process, port: Int, directory: URL) {
        self.process = process
        self.port = port
        self.directory = directory
    }

    /// Starts nginx on `port` in front of the instances on `ports`; returns once its pid file
    /// exists (after the sockets are bound), within 15 s.
    static func start(port: Int, upstreams ports: [Int], keepaliveTimeout: Int) async throws -> NginxBalancer {
        let directory = try makeTemporaryDirectory()
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("temp"), withIntermediateDirectories: true)
        let path = directory.path
        let configuration = """
            \(NginxMutualTLSProxy.preamble(path: path, errorLogLevel: "warn", workerConnections: 512))
            http {
                access_log off;
                \(NginxMutualTLSProxy.temporaryPaths(path: path))
            \(upstreamBlock(ports: ports, keepaliveTimeout: keepaliveTimeout))
                server {
                    listen 127.0.0.1:\(port);
            \(location)
                }
            }
            """
        let file = directory.appendingPathComponent("nginx.conf")
        try Data(configuration.utf8).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: NginxMutualTLSProxy.executable)
        process.arguments = ["-p", path, "-e", directory.appendingPathComponent("error.log").path, "-c", file.path]
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let balancer = NginxBalancer(process: process, port: port, directory: directory)
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if !process.isRunning { throw TestSetupError("nginx exited: \(balancer.errorLog)") }
            if FileManager.default.fileExists(atPath: "\(path)/nginx.pid") { return balancer }
            try await Task.sleep(for: .milliseconds(50))
        }
        await balancer.stop()
        throw TestSetupError("nginx did not start within 15 s: \(balancer.errorLog)")
    }

    /// Graceful shutdown (SIGQUIT), SIGKILL after 5 s; then the directory is removed.
    func stop() async {
        if process.isRunning { kill(process.processIdentifier, SIGQUIT) }
        for _ in 0..<100 where process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}
