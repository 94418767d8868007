import Foundation
import TesseraTestSupport
import Testing

extension EndToEndTests {
    /// What one `tessera serve` does on SIGTERM and on a second signal (docs/rolling-restarts.md),
    /// seen from a client holding a keep-alive connection, as a proxy's upstream pool does.
    @Suite("Shutdown", .serialized)
    struct ShutdownTests {
        /// `drain_probe.py` in the background, talked to line by line.
        final class Probe: @unchecked Sendable {
            let process = Process()
            let input = Pipe()
            let output = Pipe()

            init(port: Int) throws {
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = ["python3", Interop.script("drain_probe.py"), "127.0.0.1", "\(port)"]
                process.standardInput = input
                process.standardOutput = output
                try process.run()
            }

            /// The next line the probe prints; after 10 s the probe is ended, which ends the read.
            func line() async throws -> String {
                let reader = Task.detached { [self] () -> String? in
                    let handle = output.fileHandleForReading
                    var data = Data()
                    // A byte at a time, so nothing of the next line is read ahead.
                    while let byte = try? handle.read(upToCount: 1), let first = byte.first {
                        if first == 0x0A { return String(decoding: data, as: UTF8.self) }
                        data.append(first)
                    }
                    return nil
                }
                let timer = Task.detached { [self] in
                    try await Task.sleep(for: .seconds(10))
                    process.terminate()
                }
                let line = await reader.value
                timer.cancel()
                guard let line else { throw TestSetupError("the probe said nothing within 10 s") }
                return line
            }

            func go() { input.fileHandleForWriting.write(Data("go\n".utf8)) }

            deinit { if process.isRunning { process.terminate() } }
        }

        /// Waits until the instance logged `text` (15 s at most).
        func waitForLog(_ server: TesseraServerProcess, _ text: String) async throws {
            let deadline = Date().addingTimeInterval(15)
            while !server.output.contains(text) {
                guard Date() < deadline else { throw TestSetupError("no '\(text)' in the log: \(server.output)") }
                try await Task.sleep(for: .milliseconds(20))
            }
        }

        /// Waits for the exit (`seconds` at most) and returns the status and the time it took.
        func exit(of server: TesseraServerProcess, within seconds: Double) async throws -> (Int32, Double) {
            let began = Date()
            while server.process.isRunning, Date().timeIntervalSince(began) < seconds {
                try await Task.sleep(for: .milliseconds(20))
            }
            guard !server.process.isRunning else {
                throw TestSetupError("still running after \(seconds) s: \(server.output.suffix(2_000))")
            }
            return (server.process.terminationStatus, Date().timeIntervalSince(began))
        }

        /// A server with a probe holding a kept-alive connection, SIGTERMed, once it logged the
        /// signal: it is draining.
        func drainingServer(shutdownTimeout: Int) async throws -> (TesseraServerProcess, Probe) {
            let server = try await TesseraServerProcess.start(
                in: try makeTemporaryDirectory(), environment: ["TESSERA_SHUTDOWN_TIMEOUT": "\(shutdownTimeout)"])
            let probe = try Probe(port: server.port)
            guard try await probe.line() == "open" else { throw TestSetupError("the probe did not connect") }
            kill(server.process.processIdentifier, SIGTERM)
            try await waitForLog(server, "SIGTERM received")
            return (server, probe)
        }

        @Test func sigtermClosesTheListenerAnswersOnKeptConnectionsWithConnectionCloseAndExitsWithinTheBound()
            async throws
        {
            let (server, probe) = try await drainingServer(shutdownTimeout: 6)
            defer { Task { await server.stop() } }
            // The idle kept-alive connection is still open: a request on it is answered, with
            // `Connection: close`, and /readyz says the process is draining.
            probe.go()
            let answer = try JSONSerialization.jsonObject(with: Data(try await probe.line().utf8)) as? [String: Any]
            #expect(answer?["status"] as? Int == 503)
            #expect((answer?["connection"] as? String)?.lowercased() == "close")
            #expect((answer?["body"] as? [String: Any])?["phase"] as? String == "draining")
            #expect(answer?["new_connection"] as? String == "refused")
            let (status, took) = try await exit(of: server, within: 6.5)
            #expect(status == 0)
            #expect(took < 6.5)
            #expect(server.output.contains("closing the store"))
        }

        @Test func aSecondSignalDuringTheDrainEndsTheProcessAtOnce() async throws {
            // With a 60 s bound, the kept connection would hold the drain for 30 s.
            let (server, probe) = try await drainingServer(shutdownTimeout: 60)
            defer { Task { await server.stop() } }
            kill(server.process.processIdentifier, SIGINT)
            let (status, took) = try await exit(of: server, within: 5)
            withExtendedLifetime(probe) {}
            #expect(status == 1)
            #expect(took < 5)
            #expect(server.output.contains("Second SIGINT during shutdown: exiting now"))
        }
    }
}
