import Foundation

/// A primary and its synchronous streaming standby, from Debian's PostgreSQL, for the failover
/// test (docs/database-failover.md): `wal_level=replica`, the standby named in
/// `synchronous_standby_names` with `synchronous_commit=on`, so a commit a client saw is on the
/// standby too; the standby made with `pg_basebackup -R` under that `application_name`. Both on
/// free loopback ports, run as the cluster's owner (`postgres` when root), removed by `destroy`.
public final class StreamingReplicaPair: @unchecked Sendable {
    public let primaryPort: Int
    public let standbyPort: Int
    let directory: URL
    let binaries: String

    /// Both hosts, the primary first, as libpq's multi-host URL writes them.
    public var url: String {
        "postgres://postgres@127.0.0.1:\(primaryPort),127.0.0.1:\(standbyPort)/postgres?target_session_attrs=read-write"
    }
    public var standbyURL: String { "postgres://postgres@127.0.0.1:\(standbyPort)/postgres" }
    var primaryData: String { directory.appendingPathComponent("primary").path }
    var standbyData: String { directory.appendingPathComponent("standby").path }

    /// Shell commands that stop the primary at once (as a crash would) and promote the standby.
    public var stopPrimaryCommand: String {
        Self.asOwner("'\(binaries)/pg_ctl' -D '\(primaryData)' -m immediate -w -t 30 stop")
    }
    public var promoteStandbyCommand: String {
        Self.asOwner("'\(binaries)/pg_ctl' -D '\(standbyData)' -w -t 30 promote")
    }

    public static func start() throws -> StreamingReplicaPair {
        guard let binaries = PrivatePostgres.binaries else {
            throw TestSetupError("PostgreSQL binaries not found; set TESSERA_TEST_PG_BIN")
        }
        let directory = try makeTemporaryDirectory()
        if getuid() == 0 { try PrivatePostgres.shell("chown postgres:postgres '\(directory.path)'") }
        let pair = StreamingReplicaPair(
            primaryPort: try freeLoopbackPort(), standbyPort: try freeLoopbackPort(), directory: directory,
            binaries: binaries)
        do {
            try pair.create()
            return pair
        } catch {
            pair.destroy()
            throw error
        }
    }

    private init(primaryPort: Int, standbyPort: Int, directory: URL, binaries: String) {
        self.primaryPort = primaryPort
        self.standbyPort = standbyPort
        self.directory = directory
        self.binaries = binaries
    }

    private func create() throws {
        try PrivatePostgres.runAsOwner(
            "'\(binaries)/initdb' -D '\(primaryData)' -U postgres --auth=trust -E UTF8 --no-locale --no-sync")
        // Replication connections from loopback, trusted like the rest of this throwaway cluster.
        try PrivatePostgres.runAsOwner(
            "echo 'host replication postgres 127.0.0.1/32 trust' >> '\(primaryData)/pg_hba.conf'")
        try PrivatePostgres.runAsOwner(
            "'\(binaries)/pg_ctl' -D '\(primaryData)' -l '\(directory.path)/primary.log' -w -t 60 -o \"\(options(port: primaryPort)) -c synchronous_standby_names=standby -c synchronous_commit=on\" start"
        )
        try PrivatePostgres.runAsOwner(
            "'\(binaries)/pg_basebackup' -h 127.0.0.1 -p \(primaryPort) -U postgres -D '\(standbyData)' -R -X stream -c fast -d 'application_name=standby'"
        )
        try PrivatePostgres.runAsOwner(
            "'\(binaries)/pg_ctl' -D '\(standbyData)' -l '\(directory.path)/standby.log' -w -t 60 -o \"\(options(port: standbyPort))\" start"
        )
    }

    /// Settings both servers share: loopback only, the socket in the test's folder, replication on.
    private func options(port: Int) -> String {
        "-p \(port) -k '\(directory.path)' -c listen_addresses=127.0.0.1 -c wal_level=replica -c max_wal_senders=5 -c hot_standby=on -c fsync=off"
    }

    /// Whether the standby streams from the primary synchronously (`pg_stat_replication`) within
    /// 30 s of its start (it connects to the primary after `pg_ctl start` returns).
    public func becomesSynchronous() async -> Bool {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if isSynchronous { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    public var isSynchronous: Bool {
        let output = try? PrivatePostgres.capture(
            "'\(binaries)/psql' -h 127.0.0.1 -p \(primaryPort) -U postgres -Atc \"SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby'\" postgres"
        )
        return output?.trimmingCharacters(in: .whitespacesAndNewlines) == "sync"
    }

    public func stopPrimary() throws { try PrivatePostgres.shell(stopPrimaryCommand) }
    public func promoteStandby() throws { try PrivatePostgres.shell(promoteStandbyCommand) }

    /// Stops whatever still runs, at once, and removes both clusters.
    public func destroy() {
        for data in [primaryData, standbyData] where FileManager.default.fileExists(atPath: "\(data)/postmaster.pid") {
            try? PrivatePostgres.shell(Self.asOwner("'\(binaries)/pg_ctl' -D '\(data)' -m immediate -w -t 30 stop"))
        }
        try? FileManager.default.removeItem(at: directory)
    }

    static func asOwner(_ command: String) -> String {
        guard getuid() == 0 else { return command }
        return "cd / && su postgres -s /bin/sh -c \"\(command.replacingOccurrences(of: "\"", with: "\\\""))\""
    }
}
