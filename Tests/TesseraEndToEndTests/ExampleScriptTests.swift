import Foundation
import TesseraTestSupport
import Testing

extension EndToEndTests {
    /// The examples run as their README says, against a real server, so they never rot.
    @Suite("Examples")
    struct ExampleScriptTests {
        @Test func clientCredentialsExampleGetsIntrospectsAndRevokesAToken() async throws {
            let directory = try makeTemporaryDirectory()
            let server = try await TesseraServerProcess.start(in: directory)
            defer { Task { await server.stop() } }
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("examples/client-credentials.sh")
            var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TESSERA_") }
            environment["TESSERA_PUBLIC_URL"] = server.baseURL
            environment["TESSERA_BCRYPT_COST"] = "10"
            let result = try ProcessRunner.run(
                "/bin/bash", [script.path, TesseraBinary.path], in: directory, environment: environment)
            let text = result.stdout
            #expect(result.status == 0, "\(text) \(result.stderr)")
            #expect(text.contains("\"token_type\":\"Bearer\""))
            #expect(text.contains("'typ': 'at+jwt'"))
            #expect(text.contains("\"active\":true"))
            #expect(text.hasSuffix("{\"active\":false}\n"))
        }

        /// The device example prints a code and polls with a DPoP proof each time; a person (a
        /// requests session here) approves it on the verification page; the device prints its
        /// DPoP-bound tokens.
        @Test func deviceFlowExampleGetsATokenOnceTheCodeIsApproved() async throws {
            let directory = try makeTemporaryDirectory()
            let server = try await TesseraServerProcess.start(in: directory)
            defer { Task { await server.stop() } }
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent()
            let output = directory.appendingPathComponent("device.out")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = [
                "-c", "exec \"$0\" \"$1\" > \"$2\" 2>&1",
                root.appendingPathComponent("examples/iot-device/device-flow.sh").path,
                TesseraBinary.path, output.path,
            ]
            process.currentDirectoryURL = directory
            var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TESSERA_") }
            environment["TESSERA_PUBLIC_URL"] = server.baseURL
            environment["TESSERA_BCRYPT_COST"] = "10"
            process.environment = environment
            try process.run()
            // SIGKILL: children of the test runner start with SIGTERM blocked.
            defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

            // Wait for the code and the password the example prints.
            var text = ""
            let deadline = Date().addingTimeInterval(60)
            while !text.contains("Sign in as viewer"), Date() < deadline, process.isRunning {
                try await Task.sleep(for: .milliseconds(100))
                text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            }
            let code = try #require(text.firstMatch(of: /enter the code ([A-Z]{4}-[A-Z]{4})/)?.1, "\(text)")
            let password = try #require(text.firstMatch(of: /with password (\S+),/)?.1, "\(text)")
            let verification = try #require(text.firstMatch(of: /open (http\S+)\/device\n/)?.1, "\(text)")
            let approval = try Interop.python(
                "approve_device.py", [String(verification), String(code), "viewer", String(password)])
            #expect(approval.status == 0, "\(approval.stdout) \(approval.stderr)")
            #expect(approval.stdout.contains("Device connected"))

            while process.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
            text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            #expect(process.terminationStatus == 0, "\(text)")
            #expect(text.contains("== approved; the device's tokens:"))
            #expect(text.contains("\"refresh_token\""))
            #expect(text.contains("\"scope\":\"offline_access tv:watch\""))
            // RFC 9449: the device's tokens are bound to its key, the one whose thumbprint it printed.
            #expect(text.contains("\"token_type\":\"DPoP\""))
            let tokens = try #require(
                text.split(separator: "\n").first { $0.hasPrefix("{") && $0.contains("\"access_token\"") }.map(
                    String.init), "\(text)")
            let issued = try JSONSerialization.jsonObject(with: Data(tokens.utf8)) as? [String: Any] ?? [:]
            let claims = try Inspect.claims(of: try #require(issued["access_token"] as? String))
            let thumbprint = try #require(text.firstMatch(of: /bound to the device's DPoP key ([A-Za-z0-9_-]{43})/)?.1)
            #expect((claims["cnf"] as? [String: Any])?["jkt"] as? String == String(thumbprint))
        }
    }
}
