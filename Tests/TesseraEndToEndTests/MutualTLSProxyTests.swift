import Foundation
import TesseraTestSupport
import Testing

/// The nginx harness of the mutual TLS tests, checked on its own in front of an upstream that
/// echoes the `Client-Cert` headers it received: what reaches Tessera behind such a proxy.
extension EndToEndTests {
    @Suite("Mutual TLS proxy (nginx)", .serialized)
    struct MutualTLSProxyTests {
        @Test(.enabled(if: NginxMutualTLSProxy.isAvailable, "needs nginx with the njs module, openssl and curl"))
        func theUpstreamReceivesExactlyTheVerifiedCertificateAndNeverTheClientsOwnHeader() async throws {
            let upstream = try await HeaderEchoUpstream.start()
            defer { upstream.stop() }
            try await NginxMutualTLSProxy.with(upstream: upstream.url) { proxy in
                let device = try proxy.pki.device(
                    "device-1", subject: "/O=Acme/CN=device-1", alternativeNames: "DNS:device-1.acme.example")
                let selfSigned = try proxy.pki.selfSignedDevice("self-signed", subject: "/CN=self-signed-device")
                let rogueCA = try TestPKI.make(
                    in: proxy.directory.appendingPathComponent("rogue", isDirectory: true).created(), caName: "Rogue CA"
                )
                let rogue = try rogueCA.device("rogue", subject: "/O=Acme/CN=device-1")
                let spoofed = [
                    ("Client-Cert", rogue.clientCertHeaderValue), ("client-cert", ":AAAA:"),
                    ("Client-Cert-Chain", ":AAAA:"),
                ]

                let verified = try Self.echo(proxy.get("/token", presenting: device, headers: spoofed), proxy)
                #expect(verified.clientCert == [device.clientCertHeaderValue], "exactly the device's DER, once")
                #expect(verified.clientCertChain == nil)

                let ownKey = try Self.echo(proxy.get("/token", presenting: selfSigned, headers: spoofed), proxy)
                #expect(ownKey.clientCert == [selfSigned.clientCertHeaderValue], "self-issued: forwarded")

                let unknownCA = try Self.echo(proxy.get("/token", presenting: rogue, headers: spoofed), proxy)
                #expect(unknownCA.clientCert == nil, "chains to no trusted CA and not self-issued: not forwarded")

                let anonymous = try Self.echo(proxy.get("/token", presenting: nil, headers: spoofed), proxy)
                #expect(anonymous.clientCert == nil, "no certificate: the client's own header is removed")
                #expect(anonymous.clientCertChain == nil)
            }
        }

        struct Echo: Decodable {
            let clientCert: [String]?
            let clientCertChain: [String]?

            enum CodingKeys: String, CodingKey {
                case clientCert = "client_cert"
                case clientCertChain = "client_cert_chain"
            }
        }

        static func echo(_ result: ProcessRunner.Result, _ proxy: NginxMutualTLSProxy) throws -> Echo {
            guard result.status == 0 else {
                throw TestSetupError("curl failed (\(result.status)): \(result.stderr)\nnginx: \(proxy.errorLog)")
            }
            do {
                return try JSONDecoder().decode(Echo.self, from: Data(result.stdout.utf8))
            } catch {
                throw TestSetupError("the upstream answered \(result.stdout)\nnginx: \(proxy.errorLog)")
            }
        }
    }
}

/// A plain-HTTP upstream on a loopback port of its own choosing that answers every GET with the
/// `Client-Cert` and `Client-Cert-Chain` header values it received, as JSON lists (null when
/// absent), so a test sees duplicates too.
final class HeaderEchoUpstream: @unchecked Sendable {
    static let script = """
        import json, sys
        from http.server import BaseHTTPRequestHandler, HTTPServer

        class Echo(BaseHTTPRequestHandler):
            def do_GET(self):
                body = json.dumps({
                    "client_cert": self.headers.get_all("Client-Cert"),
                    "client_cert_chain": self.headers.get_all("Client-Cert-Chain"),
                }).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *arguments):
                pass

        server = HTTPServer(("127.0.0.1", 0), Echo)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """

    let process: Process
    let port: Int
    private let directory: URL

    var url: String { "http://127.0.0.1:\(port)" }

    private init(process: Process, port: Int, directory: URL) {
        self.process = process
        self.port = port
        self.directory = directory
    }

    /// Starts the upstream and waits (up to 15 s) for the port it printed.
    static func start() async throws -> HeaderEchoUpstream {
        let directory = try makeTemporaryDirectory()
        let scriptFile = directory.appendingPathComponent("echo.py")
        let portFile = directory.appendingPathComponent("port")
        try Data(script.utf8).write(to: scriptFile)
        _ = FileManager.default.createFile(atPath: portFile.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scriptFile.path]
        process.standardOutput = FileHandle(forWritingAtPath: portFile.path)
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline, process.isRunning {
            let text = (try? String(contentsOf: portFile, encoding: .utf8)) ?? ""
            if text.hasSuffix("\n"), let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return HeaderEchoUpstream(process: process, port: port, directory: directory)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: directory)
        throw TestSetupError("the echo upstream did not start within 15 s")
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

extension URL {
    /// The directory at this URL, created if missing.
    func created() throws -> URL {
        try FileManager.default.createDirectory(at: self, withIntermediateDirectories: true)
        return self
    }
}
