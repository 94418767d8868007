import Foundation

/// A PostgreSQL server of one test's own, for tests that stop the database: stopping the
/// suite's shared server would fail every other test running at the time.
public final class PrivatePostgres: @unchecked Sendable {
    public let port: Int
    let directory: URL
    let binaries: String

    public var url: String { "postgres://postgres@127.0.0.1:\(port)/postgres" }

    /// The folder of initdb and pg_ctl: `TESSERA_TEST_PG_BIN`, or Debian's usual place.
    public static var binaries: String? {
        if let bin = ProcessInfo.processInfo.environment["TESSERA_TEST_PG_BIN"], !bin.isEmpty { return bin }
        let base = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        return versions.sorted().last.map { "\(base)/\($0)/bin" }
    }

    public static var isAvailable: Bool {
        binaries.map { FileManager.default.isExecutableFile(atPath: "\($0)/initdb") } ?? false
    }

    public static func start() throws -> PrivatePostgres {
        guard let binaries else { throw TestSetupError("PostgreSQL binaries not found; set TESSERA_TEST_PG_BIN") }
        let directory = try makeTemporaryDirectory()
        let data = directory.appendingPathComponent("data").path
        if getuid() == 0 {
            try shell("chown postgres:postgres '\(directory.path)'")
        }
        try runAsOwner("'\(binaries)/initdb' -D '\(data)' -U postgres --auth=trust -E UTF8 --no-locale --no-sync")
        for _ in 0..<5 {
            let port = Int.random(in: 20_000...60_000)
            let server = PrivatePostgres(port: port, directory: directory, binaries: binaries)
            if (try? server.startServer()) != nil { return server }
        }
        throw TestSetupError("could not start a private PostgreSQL server")
    }

    private init(port: Int, directory: URL, binaries: String) {
        self.port = port
        self.directory = directory
        self.binaries = binaries
    }

    public func startServer() throws {
        let data = directory.appendingPathComponent("data").path
        try Self.runAsOwner(
            "'\(binaries)/pg_ctl' -D '\(data)' -l '\(directory.path)/server.log' -w -t 30 -o \"-p \(port) -k '\(directory.path)' -c listen_addresses=127.0.0.1 -c fsync=off\" start"
        )
    }

    /// Stops at once, as a crash or a failover would look to a client.
    public func stopServer() throws {
        let data = directory.appendingPathComponent("data").path
        try Self.runAsOwner("'\(binaries)/pg_ctl' -D '\(data)' -m immediate -w stop")
    }

    public func destroy() {
        try? stopServer()
        try? FileManager.default.removeItem(at: directory)
    }

    static func runAsOwner(_ command: String) throws {
        try shell(StreamingReplicaPair.asOwner(command))
    }

    /// Runs `command` and returns what it printed.
    static func capture(_ command: String) throws -> String {
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", command]
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestSetupError("command failed: \(command)") }
        return String(decoding: data, as: UTF8.self)
    }

    static func shell(_ command: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        // Close every inherited descriptor above stderr first: the server outlives this command, and
        // Foundation waits for the child's end on a descriptor the server would otherwise hold.
        let closeInherited =
            #"for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done 2>/dev/null; "#
        process.arguments = ["-c", closeInherited + command]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestSetupError("command failed (\(process.terminationStatus)): \(command)")
        }
    }
}
