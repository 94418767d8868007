import Foundation
import TesseraTestSupport
import Testing

/// Three `tessera serve` processes on one PostgreSQL, as behind a load balancer: a client's
/// budget and a user's sign-in back-off are the cluster's, not each instance's
/// (docs/cluster-limits.md). The figures come from an outside client (Tests/interop/cluster_limits.py).
extension EndToEndTests {
    @Suite("Cluster-wide limits", .serialized)
    struct ClusterLimitsTests {
        static let limit = 30
        static let redirectURI = "https://app.example.com/callback"

        @Test func aClientsBudgetAndAUsersBackOffHoldForThreeInstancesTogether() async throws {
            let directory = try makeTemporaryDirectory()
            let environment = [
                "TESSERA_DATABASE_URL": try await TestDatabases.freshURL(.postgres),
                "TESSERA_MASTER_KEY": EndToEndTests.KeyRotationAcrossInstancesTests.masterKey,
            ]
            let fixture = try TenantFixture.make("acme", in: directory, environment: environment)
            func run(_ arguments: [String], stdin: String? = nil) throws -> String {
                let result = try TesseraBinary.run(arguments, in: directory, environment: environment, stdin: stdin)
                guard result.status == 0 else { throw TestSetupError("\(arguments): \(result.stderr)") }
                return result.stdout
            }
            // Only the client's budget limits here: every request comes from 127.0.0.1.
            _ = try run([
                "tenant", "settings", "acme", "--set", "rate_limit_per_client=\(Self.limit)", "--set",
                "rate_limit_per_address=0",
            ])
            _ = try run(
                ["user", "create", "--tenant", "acme", "--username", "alice", "--password-stdin"],
                stdin: UserDelegationTests.password)
            let web = try run([
                "client", "create", "--tenant", "acme", "--name", "Order Viewer", "--redirect-uri", Self.redirectURI,
                "--scope", "openid", "--json",
            ])
            let webClient = try #require(
                (try JSONSerialization.jsonObject(with: Data(web.utf8)) as? [String: Any])?["client_id"] as? String)

            // One public URL for the cluster, as behind a balancer; each instance is reached at its own port.
            let publicURL = "http://127.0.0.1:\(try freeLoopbackPort())"
            var started: [TesseraServerProcess] = []
            for _ in 0..<3 {
                started.append(
                    try await TesseraServerProcess.start(in: directory, environment: environment, publicURL: publicURL))
            }
            let servers = started
            defer { Task { for server in servers { _ = await server.stop() } } }
            // Each instance divides budgets by three once its heartbeat has seen the other two.
            let deadline = Date().addingTimeInterval(30)
            while servers.contains(where: { !$0.output.contains("instances=3") }), Date() < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
            for server in servers { #expect(server.output.contains("instances=3"), "\(server.output.suffix(2_000))") }

            let bases = servers.map(\.baseURL)
            let rate = try Interop.python(
                "cluster_limits.py",
                ["rate", "/t/acme", fixture.clientID, fixture.clientSecret, "\(Self.limit)", "8"] + bases)
            print("cluster-wide client budget:", rate.stdout)
            #expect(rate.status == 0, "\(rate.stdout)\n\(rate.stderr)")
            let admitted = rate.json()["admitted_per_second"] as? Double ?? 0
            #expect(admitted <= Double(Self.limit) * 1.3, "a budget per instance would admit about \(3 * Self.limit)/s")

            let backoff = try Interop.python(
                "cluster_limits.py",
                ["backoff", "/t/acme", webClient, Self.redirectURI, "alice", UserDelegationTests.password] + bases)
            print("cluster-wide sign-in back-off:", backoff.stdout)
            #expect(backoff.status == 0, "\(backoff.stdout)\n\(backoff.stderr)")
            #expect(backoff.json()["instances_counted"] as? Int == 3)

            // An instance leaving gracefully is no longer counted: the other two share the budget.
            _ = await servers[2].stop()
            let shrunk = Date().addingTimeInterval(20)
            while servers[..<2].contains(where: { !$0.output.contains("instances=2") }), Date() < shrunk {
                try await Task.sleep(for: .milliseconds(200))
            }
            for server in servers[..<2] { #expect(server.output.contains("instances=2")) }
            // Stopped here, not only in the deferred task, which a finishing test run may not wait for.
            for server in servers { _ = await server.stop() }
        }
    }
}
