import Foundation
import TesseraTestSupport
import Testing

/// Three `tessera serve` instances on a primary with a synchronous streaming standby, both named
/// in the database URL; the primary is stopped under load and the standby promoted
/// (docs/database-failover.md, issue 15).
extension EndToEndTests {
    @Suite("Database failover", .serialized)
    struct DatabaseFailoverTests {
        static let redirectURI = "https://app.example.com/callback"
        static let password = "correct horse battery staple"
        /// The load balancer's address the three instances sit behind (shared issuer, cookies).
        static let publicURL = "http://auth.failover.test"

        @Test(.enabled(if: PrivatePostgres.isAvailable, "needs PostgreSQL binaries"), .timeLimit(.minutes(5)))
        func everyInstanceFollowsThePromotedStandbyAndNothingCommittedIsLost() async throws {
            let pair = try StreamingReplicaPair.start()
            defer { pair.destroy() }
            #expect(await pair.becomesSynchronous(), "the standby must confirm every commit")
            let directory = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let environment = [
                "TESSERA_DATABASE_URL": pair.url, "TESSERA_MASTER_KEY": EndToEndTests.PostgresServeTests.masterKey,
                "TESSERA_BCRYPT_COST": "10",
            ]
            func run(_ arguments: [String], stdin: String? = nil) throws -> [String: Any] {
                let result = try TesseraBinary.run(arguments, in: directory, environment: environment, stdin: stdin)
                guard result.status == 0 else { throw TestSetupError("\(arguments): \(result.stderr)") }
                return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
            }
            // Set up through the CLI on the same two-host URL, as an operator would.
            _ = try run(["tenant", "create", "acme", "--json"])
            let user = try run(
                ["user", "create", "--tenant", "acme", "--username", "alice", "--password-stdin", "--json"],
                stdin: Self.password)
            let web = try run([
                "client", "create", "--tenant", "acme", "--name", "Web", "--redirect-uri", Self.redirectURI,
                "--scope", "openid", "--json",
            ])
            let admin = try run([
                "client", "create", "--tenant", "acme", "--name", "Operator", "--grant", "client_credentials",
                "--scope", "tessera:admin", "--json",
            ])
            var instances: [TesseraServerProcess] = []
            defer { for instance in instances { instance.process.terminate() } }
            for _ in 0..<3 {
                instances.append(
                    try await TesseraServerProcess.start(
                        in: directory, environment: environment, publicURL: Self.publicURL))
            }

            let config: [String: Any] = [
                "instances": instances.map(\.baseURL), "tenant": "acme", "public_url": Self.publicURL,
                "web_client": [web["client_id"] as? String ?? "", web["client_secret"] as? String ?? ""],
                "admin_client": [admin["client_id"] as? String ?? "", admin["client_secret"] as? String ?? ""],
                "redirect_uri": Self.redirectURI, "username": "alice", "password": Self.password,
                "user_id": user["id"] as? String ?? "", "stop_primary": pair.stopPrimaryCommand,
                "promote_standby": pair.promoteStandbyCommand, "warm": 4, "outage": 4, "after": 12, "chains": 3,
            ]
            let configFile = directory.appendingPathComponent("failover.json")
            try JSONSerialization.data(withJSONObject: config).write(to: configFile)
            let result = try Interop.python("failover_load.py", [configFile.path])
            try #require(result.status == 0, "\(result.stderr)\n\(instances.map { $0.output.suffix(2_000) })")
            let report = result.json()
            let logs = instances.map { String($0.output.suffix(1_500)) }
            let summary = "\(report)\n\(logs)"

            // No 5xx but 503, each with Retry-After; every instance answered every request.
            #expect((report["server_errors_not_503"] as? [Any])?.isEmpty == true, "\(summary)")
            #expect((report["unavailable_without_retry_after"] as? [Any])?.isEmpty == true, "\(summary)")
            // Every request got an answer: one whose query the driver lost as its connection
            // closed gets its 503 at the operation deadline (10 s), within the client's 15 s.
            let hung = report["transport_errors"] as? [[String: Any]] ?? []
            #expect(hung.isEmpty, "requests without an answer: \(summary)")
            // What the instances logged of each request that got no answer.
            for request in hung {
                guard let id = request["request_id"] as? String else { continue }
                let lines = instances.flatMap { $0.output.split(separator: "\n") }.filter { $0.contains(id) }
                print("no answer to \(request["what"] ?? "?") \(id): \(lines.isEmpty ? ["nothing logged"] : lines)")
            }
            // While no primary was reachable, client credentials and introspection answered 200
            // from memory, and writes answered 503.
            #expect(report["client_credentials_during_outage"] as? [Int] == [200], "\(summary)")
            #expect((report["client_credentials_during_outage_count"] as? Int ?? 0) > 5, "\(summary)")
            #expect(report["introspection_during_outage"] as? [Int] == [200], "\(summary)")
            #expect((report["writes_during_outage"] as? [Int] ?? []).allSatisfy { [200, 201, 503].contains($0) })
            #expect((report["writes_during_outage"] as? [Int] ?? []).contains(503), "\(summary)")
            // Every instance wrote to the promoted standby within 10 s.
            let firstWrites = report["first_write_after_promotion"] as? [String: Any] ?? [:]
            #expect(firstWrites.count == 3)
            for (instance, seconds) in firstWrites {
                let value = (seconds as? Double) ?? .infinity
                #expect(value < 10, "instance \(instance) first wrote \(value) s after the promotion: \(summary)")
            }
            // Nothing committed was lost.
            let dead = report["dead_chains"] as? [[String: Any]] ?? []
            #expect(
                dead.allSatisfy { $0["after_failed_attempt"] as? Bool == true },
                "a refresh token handed out in a 200 was refused: \(summary)")
            #expect(dead.count < 3, "\(summary)")
            #expect((report["final_rotation"] as? [Int] ?? []).allSatisfy { $0 == 200 }, "\(summary)")
            #expect((report["rotations"] as? [Int] ?? []).allSatisfy { $0 > 5 }, "\(summary)")
            #expect((report["codes"] as? Int ?? 0) > 0, "\(summary)")
            #expect(report["code_replays"] as? [String] == ["invalid_grant"], "\(summary)")
            #expect(report["code_refreshes"] as? [String] == ["200"], "\(summary)")
            #expect((report["consents"] as? Int ?? 0) > 0, "\(summary)")
            #expect((report["missing_consents"] as? [Any])?.isEmpty == true, "\(summary)")
            #expect((report["missing_clients"] as? [Any])?.isEmpty == true, "\(summary)")
            // /readyz: degraded (503, stateless serving) during the outage, ready afterwards.
            for reply in report["readiness_during_outage"] as? [[String: Any]] ?? [] {
                #expect(reply["status"] as? Int == 503, "\(reply)")
                let body = reply["body"] as? [String: String] ?? [:]
                #expect(body["status"] == "degraded", "\(reply)")
                #expect(body["stateless"] == "serving" && body["stateful"] == "unavailable", "\(reply)")
                #expect(reply["retry_after"] is String, "\(reply)")
            }
            for reply in report["readiness_after"] as? [[String: Any]] ?? [] {
                #expect(reply["status"] as? Int == 200, "\(reply)")
                #expect((reply["body"] as? [String: String])?["status"] == "ready", "\(reply)")
            }
            for instance in instances {
                #expect(instance.output.contains("Using PostgreSQL primary 127.0.0.1:\(pair.standbyPort)"))
            }
            print(
                "failover: \(report["seconds"] ?? ""), first writes \(firstWrites), \(report["answers"] ?? 0) answers, \(report["unavailable"] ?? 0) of them 503"
            )
            for instance in instances { await instance.stop() }
        }
    }
}

extension EndToEndTests {
    /// The bound on answering from memory (docs/database-failover.md): while the database is down
    /// the stateless paths serve for `TESSERA_STATELESS_OUTAGE_LIMIT`, then say 503 too, and
    /// serve again once the change feed is read.
    @Suite("Answering from memory", .serialized)
    struct OutageLimitTests {
        @Test(.enabled(if: PrivatePostgres.isAvailable, "needs PostgreSQL binaries"), .timeLimit(.minutes(3)))
        func theStatelessPathsServeFromMemoryForTheLimitThenStopUntilTheFeedIsReadAgain() async throws {
            let postgres = try PrivatePostgres.start()
            defer { postgres.destroy() }
            let directory = try makeTemporaryDirectory()
            let environment = [
                "TESSERA_DATABASE_URL": postgres.url, "TESSERA_MASTER_KEY": EndToEndTests.PostgresServeTests.masterKey,
                "TESSERA_STATELESS_OUTAGE_LIMIT": "6", "TESSERA_CHANGE_POLL_INTERVAL": "0.5",
            ]
            let fixture = try TenantFixture.make("acme", in: directory, environment: environment)
            let server = try await TesseraServerProcess.start(in: directory, environment: environment)
            defer { Task { await server.stop() } }
            let jwks = "\(server.baseURL)/t/acme/jwks.json"
            let metadata = "\(server.baseURL)/t/acme/.well-known/openid-configuration"
            func tokenStatus() async throws -> HTTP.Reply {
                try await fixture.post("/token", ["grant_type": "client_credentials"], to: server)
            }
            func readiness() async throws -> [String: Any] {
                try await HTTP.request("GET", "\(server.baseURL)/readyz").json()
            }
            let warm = try await fixture.token(from: server)
            #expect(try await HTTP.request("GET", metadata).status == 200)
            #expect(try await readiness()["status"] as? String == "ready")

            try postgres.stopServer()
            let stoppedAt = Date()
            // Within the limit: tokens, introspection, keys and metadata from memory.
            #expect(try await tokenStatus().status == 200)
            #expect(try await fixture.isActive(warm, at: server))
            #expect(try await HTTP.request("GET", jwks).status == 200)
            #expect(try await HTTP.request("GET", metadata).status == 200)
            let degraded = try await HTTP.request("GET", "\(server.baseURL)/readyz")
            #expect(degraded.status == 503)
            #expect(try degraded.json()["status"] as? String == "degraded", "\(degraded.text)")
            #expect(try degraded.json()["stateless"] as? String == "serving")
            #expect(try degraded.json()["stateful"] as? String == "unavailable")
            #expect(Date().timeIntervalSince(stoppedAt) < 6, "the checks above took too long to prove the limit")

            // Past the limit (6 s, plus at most one poll and one read's deadline of 2 s): 503 with
            // Retry-After everywhere.
            var refused = try await tokenStatus()
            while refused.status == 200, Date().timeIntervalSince(stoppedAt) < 30 {
                try await Task.sleep(for: .milliseconds(100))
                refused = try await tokenStatus()
            }
            let stoppedServingAfter = Date().timeIntervalSince(stoppedAt)
            #expect(refused.status == 503, "\(refused.text)")
            // The last read before the stop may be up to one poll interval (0.5 s) older.
            #expect(stoppedServingAfter >= 5.4, "served from memory for \(stoppedServingAfter) s only")
            #expect(stoppedServingAfter < 12, "served from memory for \(stoppedServingAfter) s")
            #expect(try refused.json()["error"] as? String == "temporarily_unavailable")
            #expect(refused.header("Retry-After") != nil)
            for url in [jwks, metadata] {
                let reply = try await HTTP.request("GET", url)
                #expect(reply.status == 503, "\(url): \(reply.status)")
                #expect(reply.header("Retry-After") != nil)
            }
            let introspection = try await fixture.post("/introspect", ["token": warm], to: server)
            #expect(introspection.status == 503)
            #expect(try await readiness()["status"] as? String == "unavailable")

            // The database back: the next read of the feed restores everything.
            try postgres.startServer()
            var status = 0
            for _ in 0..<100 where status != 200 {
                try await Task.sleep(for: .milliseconds(200))
                status = try await tokenStatus().status
            }
            #expect(status == 200)
            #expect(try await readiness()["status"] as? String == "ready")
            #expect(await server.stop() == 0, "\(server.output.suffix(3_000))")
        }
    }
}
