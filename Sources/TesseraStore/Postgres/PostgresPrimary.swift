import Logging
import PostgresNIO

/// The pool for the host of the database URL that is the primary now, and the search for the
/// next one when it fails (docs/database-failover.md).
///
/// postgres-nio's `PostgresClient` talks to one host, so a URL with several holds one client at
/// a time. A search probes the hosts on fresh connections, the one in use first and then the
/// others in the URL's order (libpq §34.1.1.2), and takes the first whose role fits
/// `target_session_attrs`. Searches are started by failures the store reports, or by the watch
/// that probes the host in use every second, and there is only ever one: callers that fail
/// meanwhile just return. A round that finds nothing closes the pool, so requests fail at once
/// (503) instead of queueing for a dead host, and the next round follows after a pause that
/// doubles up to two seconds.
///
/// A URL with one host and `target_session_attrs=any` (the default) keeps one client for good,
/// as before: nothing is probed.
actor PostgresPrimary {
    /// The pool of one host; `generation` tells a failure of an old pool from one of the current.
    struct Pool: Sendable {
        let client: PostgresClient
        let host: PostgresHost
        let generation: Int
        let run: Task<Void, Never>
    }

    let settings: DatabaseURL.PostgresSettings
    let logger: Logger
    private var current: Pool?
    private var generations = 0
    private var search: Task<Void, Never>?
    private var watch: Task<Void, Never>?
    private var closed = false

    static let watchInterval: Duration = .seconds(1)
    static let firstPause: Duration = .milliseconds(250)
    static let longestPause: Duration = .seconds(2)

    init(settings: DatabaseURL.PostgresSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    /// Finds the first primary (one round: a start with no primary reachable fails as with a
    /// database that is down), then keeps watching.
    func start() async {
        guard settings.followsPrimary, let first = settings.hosts.first else {
            if let host = settings.hosts.first { install(host) }
            return
        }
        if let found = await Self.firstAccepting(settings.hosts, settings: settings, logger: logger) {
            install(found)
        } else {
            logger.warning(
                "No PostgreSQL host of the database URL accepts \(settings.targetSessionAttributes.rawValue) sessions",
                metadata: ["hosts": "\(settings.hosts.map(\.description).joined(separator: ","))", "first": "\(first)"])
            startSearch()
        }
        watch = Task { [weak self] in
            while (try? await Task.sleep(for: Self.watchInterval)) != nil {
                guard let self else { return }
                await self.checkCurrent()
            }
        }
    }

    /// The pool to use now, or `.unavailable` while no primary is known.
    func pool() throws(StoreError) -> Pool {
        guard let current else {
            throw StoreError.unavailable("no PostgreSQL primary reachable; looking for one")
        }
        return current
    }

    /// A request on the pool of `generation` lost its connection or met a standby: look for
    /// the primary, unless a search runs already or that pool was replaced.
    func suspect(generation: Int) {
        guard settings.followsPrimary, generation == current?.generation else { return }
        startSearch()
    }

    func close() async {
        closed = true
        watch?.cancel()
        search?.cancel()
        if let current { await Self.shutDown(current) }
        current = nil
    }

    // MARK: - Searching

    private func checkCurrent() async {
        guard search == nil, !closed else { return }
        guard let current else { return startSearch() }
        if await !Self.accepts(current.host, settings: settings, logger: logger) {
            suspect(generation: current.generation)
        }
    }

    private func startSearch() {
        guard search == nil, !closed else { return }
        search = Task { [weak self] in
            await self?.searchUntilFound()
        }
    }

    private func searchUntilFound() async {
        var pause = Self.firstPause
        defer { search = nil }
        while !Task.isCancelled, !closed {
            // The host in use first: a failure that was not the host's (a dropped connection)
            // keeps the pool it had.
            let order =
                current.map { used in [used.host] + settings.hosts.filter { $0 != used.host } } ?? settings.hosts
            if let found = await Self.firstAccepting(order, settings: settings, logger: logger) {
                if !closed { install(found) }
                return
            }
            if let lost = current {
                logger.error(
                    "No PostgreSQL primary reachable; answering 503 on paths that need the database until one is",
                    metadata: [
                        "was": "\(lost.host)", "hosts": "\(settings.hosts.map(\.description).joined(separator: ","))",
                    ])
                current = nil
                await Self.shutDown(lost)
            }
            guard (try? await Task.sleep(for: pause)) != nil else { return }
            pause = min(pause * 2, Self.longestPause)
        }
    }

    /// Uses `host` from now on; the pool of the host before is closed, which fails the requests
    /// still waiting on it (503) instead of leaving them queued for a dead server.
    private func install(_ host: PostgresHost) {
        if current?.host == host { return }
        let before = current
        generations += 1
        let client = PostgresClient(configuration: settings.clientConfiguration(for: host), backgroundLogger: logger)
        current = Pool(client: client, host: host, generation: generations, run: Task { await client.run() })
        if settings.followsPrimary {
            logger.notice(
                "Using PostgreSQL primary \(host)",
                metadata: ["was": "\(before.map(\.host.description) ?? "none")"])
        }
        if let before { before.run.cancel() }
    }

    private static func shutDown(_ pool: Pool) async {
        pool.run.cancel()
        _ = await pool.run.value
    }

    // MARK: - Probing

    private static func firstAccepting(
        _ hosts: [PostgresHost], settings: DatabaseURL.PostgresSettings, logger: Logger
    ) async -> PostgresHost? {
        for host in hosts where await accepts(host, settings: settings, logger: logger) {
            return host
        }
        return nil
    }

    /// Whether `host` answers on a fresh connection within three seconds, in the role the URL
    /// asks for: `read-write` asks `transaction_read_only` (what libpq asks), `primary`
    /// `pg_is_in_recovery()`.
    static func accepts(_ host: PostgresHost, settings: DatabaseURL.PostgresSettings, logger: Logger) async -> Bool {
        let target = settings.targetSessionAttributes
        do {
            let configuration = try settings.probeConfiguration(for: host)
            return try await withDeadline(.seconds(3)) {
                let connection = try await PostgresConnection.connect(
                    configuration: configuration, id: 0, logger: logger)
                let fits = (try? await role(of: connection, fits: target, logger: logger)) ?? false
                try? await connection.close()
                return fits
            }
        } catch {
            logger.debug("PostgreSQL host did not answer a probe", metadata: ["host": "\(host)", "error": "\(error)"])
            return false
        }
    }

    private static func role(
        of connection: PostgresConnection, fits target: TargetSessionAttributes, logger: Logger
    ) async throws -> Bool {
        let query = { (sql: String) in
            try await PostgresStore.run(sql, [], logger: logger) { try await connection.query($0, logger: $1) }
        }
        switch target {
        case .any:
            return true
        case .readWrite:
            return try await query("SHOW transaction_read_only").first?.string("transaction_read_only") == "off"
        case .primary:
            return try await query("SELECT pg_is_in_recovery() AS recovery").first?.bool("recovery") == false
        }
    }
}
