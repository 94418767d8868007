import Foundation
import TesseraTestSupport
import Testing

extension EndToEndTests {
    /// Issue 15, "storage that stays bounded": two instances on one PostgreSQL under a sustained
    /// churn of sign-ins, codes, refresh rotations, reuse detections, revocations and device
    /// authorizations (`storage_churn.py`) for ten minutes, with short lifetimes and a purge
    /// every 5 s. Every table's row count is sampled every 30 s and printed; in the last quarter
    /// no table may hold noticeably more rows than at its peak in the quarter before
    /// (docs/bounded-storage.md). `TESSERA_CHURN_SECONDS` shortens the run when debugging.
    @Suite("Storage under churn", .serialized)
    struct StorageChurnTests {
        typealias Cluster = ClusterRestartTests.Cluster
        typealias Script = ClusterRestartTests.Script

        static var duration: Double {
            ProcessInfo.processInfo.environment["TESSERA_CHURN_SECONDS"].flatMap(Double.init) ?? 600
        }
        static let sampleEvery: Double = 30
        /// Lifetimes at the bottom of their ranges, so every kind of row expires many times over.
        static let settings = [
            "authorization_code_ttl=10", "access_token_ttl=30", "refresh_token_ttl=60", "refresh_token_idle_ttl=60",
            "device_code_ttl=60", "session_ttl=300", "audit_retention=60",
        ]

        /// Every table's exact row count, through psql.
        static func rowCounts(_ databaseURL: String) throws -> [String: Int] {
            let tables = try psql(
                databaseURL,
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
            ).split(separator: "\n").map(String.init)
            let query = tables.map { "SELECT '\($0)', COUNT(*) FROM \($0)" }.joined(separator: " UNION ALL ")
            var counts: [String: Int] = [:]
            for line in try psql(databaseURL, query).split(separator: "\n") {
                let fields = line.split(separator: "|")
                if fields.count == 2, let count = Int(fields[1]) { counts[String(fields[0])] = count }
            }
            return counts
        }

        static func psql(_ databaseURL: String, _ sql: String) throws -> String {
            guard let binaries = PrivatePostgres.binaries else { throw TestSetupError("psql not found") }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "\(binaries)/psql")
            process.arguments = [databaseURL, "-AtX", "-c", sql]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let text = String(decoding: data, as: UTF8.self)
            guard process.terminationStatus == 0 else { throw TestSetupError("psql: \(text)") }
            return text
        }

        @Test func everyTablesRowCountLevelsOffUnderTenMinutesOfChurn() async throws {
            let directory = try makeTemporaryDirectory()
            let databaseURL = try await TestDatabases.freshURL(.postgres)
            let ports = try (0..<2).map { _ in try freeLoopbackPort() }
            let cluster = try Cluster(
                directory: directory,
                environment: [
                    "TESSERA_DATABASE_URL": databaseURL,
                    "TESSERA_MASTER_KEY": KeyRotationAcrossInstancesTests.masterKey,
                    "TESSERA_PURGE_INTERVAL": "5", "TESSERA_CHANGE_HISTORY": "60",
                ],
                ports: ports, publicURL: "http://127.0.0.1:\(ports[0])")
            func cli(_ arguments: [String]) throws -> [String: Any] {
                let result = try TesseraBinary.run(arguments, in: directory, environment: cluster.environment)
                guard result.status == 0 else { throw TestSetupError("\(arguments): \(result.stderr)") }
                return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
            }
            _ = try cli(["tenant", "settings", "acme"] + Self.settings.flatMap { ["--set", $0] } + ["--json"])
            let device = try cli([
                "client", "create", "--tenant", "acme", "--name", "Sensor", "--grant",
                "urn:ietf:params:oauth:grant-type:device_code", "--scope", "orders:read", "--json",
            ])
            let deviceID = try #require(device["client_id"] as? String)
            let deviceSecret = try #require(device["client_secret"] as? String)
            for index in 0..<2 { cluster.instances.append(try await cluster.start(index)) }

            let stopFile = directory.appendingPathComponent("stop-churn").path
            let churn = try Script(
                nil,
                config: try cluster.config(
                    urls: cluster.urls,
                    extra: [
                        "workers": 4, "stop_file": stopFile, "device_client_id": deviceID,
                        "device_client_secret": deviceSecret,
                    ]),
                in: directory, script: "storage_churn.py")
            var samples: [(second: Double, counts: [String: Int])] = []
            let started = Date()
            let sampling: Result<Void, any Error>
            do {
                while true {
                    let second = Date().timeIntervalSince(started)
                    samples.append((second, try Self.rowCounts(databaseURL)))
                    guard churn.process.isRunning else { throw TestSetupError("storage_churn.py ended early") }
                    if second >= Self.duration { break }
                    try await Task.sleep(for: .seconds(min(Self.sampleEvery, Self.duration - second)))
                }
                sampling = .success(())
            } catch {
                sampling = .failure(error)
            }
            _ = FileManager.default.createFile(atPath: stopFile, contents: nil)
            let finished = try await churn.finish(within: 60)
            let purges = cluster.instances.map { $0.output.components(separatedBy: "Purged expired rows").count - 1 }
            await cluster.stopAll()
            try sampling.get()

            let tables = samples.last.map { $0.counts.keys.sorted() } ?? []
            print("storage churn: rows per table, sampled every \(Int(Self.sampleEvery)) s")
            print((["second"] + tables).joined(separator: "\t"))
            for sample in samples {
                print(
                    ([String(Int(sample.second))] + tables.map { String(sample.counts[$0] ?? 0) }).joined(
                        separator: "\t"))
            }
            print("storage_churn.py: \(churn.text.split(separator: "\n").last ?? "")")
            print("purge passes that removed rows, per instance: \(purges)")
            #expect(finished.status == 0, "\(finished.summary["failures"] ?? churn.text.suffix(2_000))")
            #expect(purges.reduce(0, +) > 0)

            // Levelled off: the last quarter's peak is within a quarter (and a little noise) of
            // the peak in the quarter before.
            let quarter = Self.duration / 4
            for table in tables {
                let before =
                    samples.filter { $0.second > 2 * quarter && $0.second <= 3 * quarter }
                    .map { $0.counts[table] ?? 0 }.max() ?? 0
                let last = samples.filter { $0.second > 3 * quarter }.map { $0.counts[table] ?? 0 }.max() ?? 0
                #expect(
                    Double(last) <= Double(before) * 1.25 + 25,
                    "\(table) still grows: peak \(before) rows in the third quarter, \(last) in the last")
            }
            // And the purge, not a quiet load, is what kept them so: far more rows were made than remain.
            let counts = finished.summary["counts"] as? [String: Int] ?? [:]
            let final = samples.last?.counts ?? [:]
            let made = [
                "refresh_tokens": (counts["code redemption 200"] ?? 0) + (counts["refresh 200"] ?? 0),
                "authorization_codes": counts["code redemption 200"] ?? 0,
                "device_codes": counts["device authorization 200"] ?? 0,
            ]
            for (table, made) in made {
                #expect(made > 3 * (final[table] ?? 0), "\(table): \(made) made, \(final[table] ?? 0) left")
            }
        }
    }
}
