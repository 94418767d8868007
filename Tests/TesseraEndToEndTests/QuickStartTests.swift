import Foundation
import TesseraTestSupport
import Testing

/// The README's first command, as a newcomer runs it: `tessera serve` on the SQLite default.
extension EndToEndTests {
    @Suite("Quick start", .serialized)
    struct QuickStartTests {
        @Test func serveOnTheSQLiteDefaultAnswersHealthAndTheCLISeesTheSameDatabase() async throws {
            let directory = try makeTemporaryDirectory()
            let server = try await TesseraServerProcess.start(in: directory)
            defer { Task { await server.stop() } }

            let health = try await HTTP.request("GET", "\(server.baseURL)/healthz")
            #expect(health.status == 200)
            #expect(health.header("X-Request-Id") != nil)
            #expect(try await HTTP.request("GET", "\(server.baseURL)/readyz").status == 200)
            #expect(server.output.contains("Generated a new master key"))
            #expect(
                FileManager.default.fileExists(atPath: directory.appendingPathComponent(".tessera/master.key").path))
            let mode =
                try FileManager.default.attributesOfItem(
                    atPath: directory.appendingPathComponent(".tessera/master.key").path)[.posixPermissions] as? Int
            #expect(mode == 0o600)

            let created = try TesseraBinary.run(["tenant", "create", "acme", "--json"], in: directory)
            #expect(created.status == 0, "\(created.stderr)")
            let tenant = try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any]
            #expect(tenant?["issuer"] as? String == "http://127.0.0.1:8080/t/acme")
            #expect(tenant?["slug"] as? String == "acme")

            let metrics = try await HTTP.request("GET", "\(server.baseURL)/metrics")
            #expect(metrics.text.contains("hb_requests"))
            #expect(await server.stop() == 0)
        }

        @Test func publicURLFlagSetsTheIssuer() throws {
            let directory = try makeTemporaryDirectory()
            let created = try TesseraBinary.run(
                ["tenant", "create", "acme", "--json", "--public-url", "https://auth.example.com/"], in: directory)
            #expect(created.status == 0, "\(created.stderr)")
            #expect(created.stdout.contains("\"issuer\" : \"https://auth.example.com/t/acme\""))
            // The environment variable is read when no flag is given.
            let listed = try TesseraBinary.run(
                ["tenant", "list", "--json"], in: directory,
                environment: ["TESSERA_PUBLIC_URL": "https://env.example.com"])
            #expect(listed.stdout.contains("https://env.example.com/t/acme"))
        }
    }
}
