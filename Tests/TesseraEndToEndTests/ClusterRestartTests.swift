import Foundation
import TesseraTestSupport
import Testing

extension EndToEndTests {
    /// Issue 15, "rolling restarts without a failed request" and "refresh tokens that stay dead":
    /// three `tessera serve` processes on one PostgreSQL behind Debian's nginx, restarted in turn
    /// under load, one killed with SIGKILL, and 1,000 races of one refresh token across all three
    /// (docs/rolling-restarts.md). One cluster serves every phase, so the suite starts it once.
    @Suite("Rolling restarts, SIGKILL and refresh races", .serialized)
    struct ClusterRestartTests {
        static let password = "correct horse battery"
        /// A short bound keeps the suite fast: idle connections get 3 s, nginx closes its idle
        /// upstream connections after 2 s, as the recommended configuration orders them.
        static let shutdownTimeout = 6
        static let nginxKeepaliveTimeout = 2

        /// The three instances, their fixed ports (nginx expects them there after a restart) and
        /// the tenant they serve.
        final class Cluster: @unchecked Sendable {
            let directory: URL
            let environment: [String: String]
            let ports: [Int]
            let publicURL: String
            var instances: [TesseraServerProcess] = []
            let clientID: String
            let clientSecret: String

            init(directory: URL, environment: [String: String], ports: [Int], publicURL: String) throws {
                self.directory = directory
                self.environment = environment
                self.ports = ports
                self.publicURL = publicURL
                func run(_ arguments: [String], stdin: String? = nil) throws -> [String: Any] {
                    let result = try TesseraBinary.run(
                        arguments, in: directory, environment: environment, stdin: stdin)
                    guard result.status == 0 else { throw TestSetupError("\(arguments): \(result.stderr)") }
                    return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any]
                        ?? [:]
                }
                _ = try run(["tenant", "create", "acme", "--json"])
                // The load is the point here, not the limits (another test covers them).
                _ = try run([
                    "tenant", "settings", "acme", "--set", "rate_limit_per_client=0", "--set",
                    "rate_limit_per_address=0", "--json",
                ])
                _ = try run(["scope", "create", "--tenant", "acme", "orders:read", "--json"])
                _ = try run(
                    ["user", "create", "--tenant", "acme", "--username", "alice", "--password-stdin", "--json"],
                    stdin: ClusterRestartTests.password)
                let client = try run([
                    "client", "create", "--tenant", "acme", "--name", "Orders", "--grant", "authorization_code",
                    "--grant", "refresh_token", "--grant", "client_credentials", "--scope", "orders:read",
                    "--redirect-uri", "https://app.example.com/callback", "--audience", "https://api.example.com",
                    "--json",
                ])
                guard let id = client["client_id"] as? String, let secret = client["client_secret"] as? String
                else { throw TestSetupError("client create printed \(client)") }
                clientID = id
                clientSecret = secret
            }

            var urls: [String] { ports.map { "http://127.0.0.1:\($0)" } }

            /// Starts instance `index` on its port and waits for its `/readyz` (30 s at most);
            /// `changes` override or add to the cluster's environment.
            func start(_ index: Int, changes: [String: String] = [:]) async throws -> TesseraServerProcess {
                let instance = try await TesseraServerProcess.start(
                    in: directory, environment: environment.merging(changes) { $1 }, publicURL: publicURL,
                    port: ports[index])
                let deadline = Date().addingTimeInterval(30)
                while Date() < deadline {
                    if (try? await HTTP.request("GET", "\(instance.baseURL)/readyz").status) == 200 { return instance }
                    try await Task.sleep(for: .milliseconds(50))
                }
                throw TestSetupError("instance \(index) was not ready within 30 s: \(instance.output)")
            }

            /// The load script's configuration, written to a file.
            func config(urls: [String], extra: [String: Any]) throws -> URL {
                var config: [String: Any] = [
                    "urls": urls, "tenant": "acme", "client_id": clientID, "client_secret": clientSecret,
                    "redirect_uri": "https://app.example.com/callback", "username": "alice",
                    "password": ClusterRestartTests.password,
                ]
                for (key, value) in extra { config[key] = value }
                let file = directory.appendingPathComponent("config-\(UUID().uuidString).json")
                try JSONSerialization.data(withJSONObject: config).write(to: file)
                return file
            }

            /// `cluster_load.py load` through `url` until `stopFile` appears, its state in
            /// `load.json`; returned once its first full round is done.
            func startLoad(
                through url: String, workers: Int, stopFile: String, extra: [String: Any] = [:]
            ) async throws -> Script {
                let load = try Script(
                    "load",
                    config: try config(
                        urls: [url],
                        extra: extra.merging([
                            "workers": workers, "stop_file": stopFile,
                            "state": directory.appendingPathComponent("load.json").path,
                        ]) { $1 }),
                    in: directory)
                try await ClusterRestartTests().waitForFile(stopFile + ".started")
                return load
            }

            func stopAll() async {
                for instance in instances { await instance.stop() }
            }
        }

        /// `cluster_load.py` in the background: started now, its summary read when it exits.
        final class Script: @unchecked Sendable {
            let process = Process()
            let output: URL

            /// `mode` is cluster_load.py's first argument; nil for a script that takes only the
            /// configuration.
            init(_ mode: String?, config: URL, in directory: URL, script: String = "cluster_load.py") throws {
                output = directory.appendingPathComponent("\(mode ?? script)-\(UUID().uuidString).out")
                _ = FileManager.default.createFile(atPath: output.path, contents: nil)
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = ["python3", Interop.script(script)] + (mode.map { [$0] } ?? []) + [config.path]
                process.standardOutput = try FileHandle(forWritingTo: output)
                process.standardError = process.standardOutput
                try process.run()
            }

            /// Waits (at most `seconds`) for the exit, and returns the summary and exit status.
            func finish(within seconds: Double) async throws -> (summary: [String: Any], status: Int32) {
                let deadline = Date().addingTimeInterval(seconds)
                while process.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
                if process.isRunning {
                    process.terminate()
                    throw TestSetupError("\(process.arguments?[1] ?? "") did not finish within \(seconds) s: \(text)")
                }
                let line = text.split(separator: "\n").last.map(String.init) ?? ""
                let summary = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
                return (summary, process.terminationStatus)
            }

            var text: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

            deinit { if process.isRunning { process.terminate() } }
        }

        /// Runs one mode to its end and returns its summary, printed for the test log.
        func run(
            _ mode: String, _ cluster: Cluster, urls: [String], extra: [String: Any], within seconds: Double
        )
            async throws -> (summary: [String: Any], status: Int32)
        {
            let script = try Script(mode, config: try cluster.config(urls: urls, extra: extra), in: cluster.directory)
            let result = try await script.finish(within: seconds)
            print("cluster_load.py \(mode): \(script.text.split(separator: "\n").last ?? "")")
            if result.status != 0 { print(script.text.suffix(3_000)) }
            return result
        }

        /// Waits until `file` exists (the load script's first full round), at most 60 s.
        func waitForFile(_ file: String) async throws {
            let deadline = Date().addingTimeInterval(60)
            while !FileManager.default.fileExists(atPath: file) {
                guard Date() < deadline else { throw TestSetupError("\(file) did not appear within 60 s") }
                try await Task.sleep(for: .milliseconds(100))
            }
        }

        /// Waits until the instance logged a request of the tenant: nginx sends it traffic again.
        func waitForTraffic(_ instance: TesseraServerProcess) async throws {
            let deadline = Date().addingTimeInterval(30)
            while !instance.output.contains("/t/acme/") {
                guard Date() < deadline else { throw TestSetupError("no traffic reached the instance in 30 s") }
                try await Task.sleep(for: .milliseconds(100))
            }
        }

        /// How many token requests the instance logged so far.
        func tokenRequests(_ instance: TesseraServerProcess) -> Int {
            requests(to: "token", at: instance)
        }

        /// How many requests to the tenant's `endpoint` the instance logged so far.
        func requests(to endpoint: String, at instance: TesseraServerProcess) -> Int {
            instance.output.components(separatedBy: "hb.request.path=/t/acme/\(endpoint)").count - 1
        }

        /// Until the restarted instance answered `count` token requests: nginx marks an upstream
        /// that refused a connection failed for `fail_timeout` (2 s), and stopping the other
        /// instance within that window leaves nginx none to send to (a 502).
        func waitForSteadyTraffic(_ instance: TesseraServerProcess, tokenRequests count: Int = 40) async throws {
            try await waitForTraffic(instance)
            let deadline = Date().addingTimeInterval(60)
            while tokenRequests(instance) < count {
                guard Date() < deadline else { throw TestSetupError("the instance answered no steady traffic in 60 s") }
                try await Task.sleep(for: .milliseconds(100))
            }
        }

        func races(_ cluster: Cluster, count: Int, state: URL) async throws {
            let (summary, status) = try await run(
                "races", cluster, urls: cluster.urls,
                extra: ["races": count, "batch": 6, "per_instance": 2, "state": state.path], within: 240)
            #expect(status == 0)
            #expect(summary["races"] as? Int == count)
            #expect(summary["exactly_one_winner"] as? Int == count, "\(summary["odd"] ?? "")")
            #expect(summary["losers_all_invalid_grant"] as? Int == count, "\(summary["odd"] ?? "")")
            if summary["losers_all_invalid_grant"] as? Int != count {
                for instance in cluster.instances {
                    for line in instance.output.split(separator: "\n")
                    where line.contains("could not be stored") || line.contains("Request failed") {
                        print(line)
                    }
                }
            }
            // RFC 9700 §4.14.2 as docs/refresh-rotation.md implements it: the losers presented
            // a used token, so the family is revoked, the winner's new token with it.
            #expect(summary["family_revoked_after"] as? Int == count)
            let runAgain = cluster.instances.map {
                $0.output.components(separatedBy: "Transaction run again").count - 1
            }
            print("transactions run again after a deadlock or serialization failure, per instance: \(runAgain)")
            let causes = Set(
                cluster.instances.flatMap { $0.output.split(separator: "\n") }
                    .filter { $0.contains("Transaction run again") }.map { String($0.prefix(400)) })
            for cause in causes.prefix(3) { print(cause) }
        }

        @Test func rollingRestartsBehindNginxFailNoRequestRacesHaveOneWinnerAndSIGKILLLosesNothing() async throws {
            guard NginxBalancer.isAvailable else {
                Issue.record("nginx is not installed (set TESSERA_TEST_NGINX)")
                return
            }
            let directory = try makeTemporaryDirectory()
            let nginxPort = try freeLoopbackPort()
            let publicURL = "http://127.0.0.1:\(nginxPort)"
            let cluster = try Cluster(
                directory: directory,
                environment: [
                    "TESSERA_DATABASE_URL": try await TestDatabases.freshURL(.postgres),
                    "TESSERA_MASTER_KEY": KeyRotationAcrossInstancesTests.masterKey,
                    "TESSERA_SHUTDOWN_TIMEOUT": "\(Self.shutdownTimeout)",
                ],
                ports: try (0..<3).map { _ in try freeLoopbackPort() }, publicURL: publicURL)
            for index in 0..<3 { cluster.instances.append(try await cluster.start(index)) }
            let nginx = try await NginxBalancer.start(
                port: nginxPort, upstreams: cluster.ports, keepaliveTimeout: Self.nginxKeepaliveTimeout)
            defer {
                Task {
                    await cluster.stopAll()
                    await nginx.stop()
                }
            }

            // 1. 500 races of one refresh token, two requests at each instance at once.
            let firstRaces = directory.appendingPathComponent("races-1.json")
            try await races(cluster, count: 500, state: firstRaces)

            // 2. Load through nginx while each instance in turn is SIGTERMed and started again.
            let stopFile = directory.appendingPathComponent("stop-load").path
            let load = try await cluster.startLoad(through: nginx.baseURL, workers: 6, stopFile: stopFile)
            for index in 0..<3 {
                let began = Date()
                let status = await cluster.instances[index].stop()
                let took = Date().timeIntervalSince(began)
                #expect(
                    status == 0,
                    "instance \(index) exited with \(status): \(cluster.instances[index].output.suffix(2_000))")
                #expect(took < Double(Self.shutdownTimeout) + 1, "instance \(index) took \(took) s to stop")
                #expect(cluster.instances[index].output.contains("SIGTERM received"))
                cluster.instances[index] = try await cluster.start(index)
                try await waitForSteadyTraffic(cluster.instances[index])
            }
            FileManager.default.createFile(atPath: stopFile, contents: nil)
            let loaded = try await load.finish(within: 60)
            print("cluster_load.py load through nginx: \(load.text.split(separator: "\n").last ?? "")")
            #expect(loaded.status == 0, "\(load.text.suffix(3_000)) nginx: \(nginx.errorLog.suffix(2_000))")
            #expect((loaded.summary["failures"] as? [Any])?.isEmpty == true)
            #expect((loaded.summary["requests"] as? Int ?? 0) > 300, "\(loaded.summary)")

            // 3. 500 more races on the restarted instances, then all three restarted: no token
            // of any race is accepted again, no winner's access token is active again.
            let secondRaces = directory.appendingPathComponent("races-2.json")
            try await races(cluster, count: 500, state: secondRaces)
            await cluster.stopAll()
            for index in 0..<3 { cluster.instances[index] = try await cluster.start(index) }
            for state in [firstRaces, secondRaces] {
                let (summary, status) = try await run(
                    "check-races", cluster, urls: cluster.urls, extra: ["state": state.path], within: 180)
                #expect(status == 0)
                #expect(summary["accepted"] as? Int == 0)
                #expect(summary["refused"] as? Int == summary["tokens"] as? Int)
                #expect(summary["access_active"] as? Int == 0)
                #expect(summary["access_inactive"] as? Int == 500)
            }

            // 4. SIGKILL mid-load of refresh rotations and code redemptions at all three
            // instances: what any of them answered 200 to before is still there at the others.
            let killStop = directory.appendingPathComponent("stop-kill").path
            let killState = directory.appendingPathComponent("kill.json")
            let killLoad = try Script(
                "load",
                config: try cluster.config(
                    urls: cluster.urls,
                    extra: [
                        "workers": 6, "stop_file": killStop, "state": killState.path,
                        "tolerate_connection_errors": true,
                    ]),
                in: directory)
            // Killed mid-load: once it answered 60 token requests of this load (codes and
            // refreshes), while the workers keep sending.
            let before = tokenRequests(cluster.instances[0])
            try await waitForFile(killStop + ".started")
            let deadline = Date().addingTimeInterval(60)
            while tokenRequests(cluster.instances[0]) < before + 60, Date() < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            cluster.instances[0].kill9()
            FileManager.default.createFile(atPath: killStop, contents: nil)
            let killed = try await killLoad.finish(within: 60)
            print("cluster_load.py load with SIGKILL: \(killLoad.text.split(separator: "\n").last ?? "")")
            #expect(killed.status == 0, "\(killLoad.text.suffix(3_000))")
            let (checked, checkStatus) = try await run(
                "check", cluster, urls: Array(cluster.urls.dropFirst()), extra: ["state": killState.path],
                within: 120)
            #expect(checkStatus == 0)
            #expect(checked["problem_count"] as? Int == 0, "\(checked["problems"] ?? "")")
            #expect((checked["chains"] as? Int ?? 0) > 0)
            #expect((checked["codes"] as? Int ?? 0) > 0)
        }
    }
}
