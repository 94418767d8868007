import Foundation
import TesseraTestSupport
import Testing

/// `tessera serve` on PostgreSQL: master-key rules, and readiness that follows the database.
extension EndToEndTests {
    @Suite("Serve on PostgreSQL", .serialized)
    struct PostgresServeTests {
        @Test(.enabled(if: PrivatePostgres.isAvailable, "needs PostgreSQL binaries"))
        func readinessTurnsRedWhileTheDatabaseIsDownAndHealsWithoutARestart() async throws {
            let postgres = try PrivatePostgres.start()
            defer { postgres.destroy() }
            let directory = try makeTemporaryDirectory()
            let server = try await TesseraServerProcess.start(
                in: directory,
                environment: ["TESSERA_DATABASE_URL": postgres.url, "TESSERA_MASTER_KEY": Self.masterKey])
            defer { Task { await server.stop() } }
            #expect(try await HTTP.request("GET", "\(server.baseURL)/readyz").status == 200)

            try postgres.stopServer()
            let down = try await HTTP.request("GET", "\(server.baseURL)/readyz")
            #expect(down.status == 503)
            #expect(try await HTTP.request("GET", "\(server.baseURL)/healthz").status == 200)

            try postgres.startServer()
            var status = 0
            for _ in 0..<50 {
                status = try await HTTP.request("GET", "\(server.baseURL)/readyz").status
                if status == 200 { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(status == 200)
            #expect(await server.stop() == 0, "\(server.output.suffix(3_000))")
        }

        @Test func aMissingMasterKeyWithPostgreSQLIsAClearError() throws {
            let result = try TesseraBinary.run(
                ["migrate"], in: try makeTemporaryDirectory(),
                environment: ["TESSERA_DATABASE_URL": try TestDatabases.postgresBaseURL()])
            #expect(result.status != 0)
            #expect(result.stderr.contains("a master key is required with PostgreSQL"))
        }

        @Test func aWrongMasterKeyStopsTheStartWithAClearError() async throws {
            let url = try await TestDatabases.freshURL(.postgres)
            let directory = try makeTemporaryDirectory()
            let first = try TesseraBinary.run(
                ["migrate"], in: directory,
                environment: ["TESSERA_DATABASE_URL": url, "TESSERA_MASTER_KEY": Self.masterKey])
            #expect(first.status == 0, "\(first.stderr)")
            let other = try TesseraBinary.run(["master-key", "generate"], in: directory).stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let second = try TesseraBinary.run(
                ["tenant", "list"], in: directory,
                environment: ["TESSERA_DATABASE_URL": url, "TESSERA_MASTER_KEY": other])
            #expect(second.status != 0)
            #expect(second.stderr.contains("master key does not open the stored signing keys"), "\(second.stderr)")
        }

        @Test func aMalformedMasterKeyIsRefused() throws {
            let result = try TesseraBinary.run(
                ["migrate"], in: try makeTemporaryDirectory(),
                environment: [
                    "TESSERA_DATABASE_URL": try TestDatabases.postgresBaseURL(), "TESSERA_MASTER_KEY": "too-short",
                ])
            #expect(result.status != 0)
            #expect(result.stderr.contains("TESSERA_MASTER_KEY is unusable"))
        }

        static let masterKey = "q0XWm4f3lQx1m3w3mB0n6c9D9Zbqk7nV9w2JmF0e6lA"
    }
}
