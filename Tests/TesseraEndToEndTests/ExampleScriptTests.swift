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
    }
}
