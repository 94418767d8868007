import Foundation
import Logging
import NIOCore
import PostgresNIO
import TesseraCore

/// The production backend: a pooled `PostgresClient` for the primary; several Tessera instances
/// share one database. With several hosts in the URL, `PostgresPrimary` says which client that
/// is now, and every operation reports connection losses to it (docs/database-failover.md).
public final class PostgresStore: Store, SQLExecutor {
    public let backend = StoreBackend.postgres
    let dialect = SQLDialect.postgres
    let primary: PostgresPrimary
    let logger: Logger

    init(primary: PostgresPrimary, logger: Logger) {
        self.primary = primary
        self.logger = logger
    }

    /// Finds the primary among the URL's hosts (or takes its one host) and opens its pool.
    static func open(settings: DatabaseURL.PostgresSettings, logger: Logger) async -> PostgresStore {
        let primary = PostgresPrimary(settings: settings, logger: logger)
        await primary.start()
        // Let the client's run loop start before the first query leases a connection.
        for _ in 0..<3 { await Task.yield() }
        return PostgresStore(primary: primary, logger: logger)
    }

    public func close() async {
        await primary.close()
    }

    /// Runs `body` with the primary's client; a lost connection or a standby's refusal starts
    /// the search for the primary (one at a time), and the caller sees `.unavailable` (503).
    private func withClient<T>(_ body: (PostgresClient) async throws -> T) async throws -> T {
        try await Self.mapErrors {
            let pool = try await primary.pool()
            do {
                return try await body(pool.client)
            } catch {
                if PostgresConnectionLoss.isLoss(error) { await primary.suspect(generation: pool.generation) }
                throw error
            }
        }
    }

    @discardableResult
    func execute(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        let logger = self.logger
        return try await withClient { client in
            try await withDeadline(Self.operationDeadline) {
                try await Self.run(sql, binds, logger: logger) { try await client.query($0, logger: $1) }
            }
        }
    }

    /// How long a request's statement or transaction may take before it answers 503: longer than
    /// any of them takes on a live database, shorter than the clients' own timeouts, so a query
    /// the driver lost at the moment a connection closed (`withDeadline`) cannot hold a request
    /// for ever. Scheduled jobs have `jobDeadline`; migrations and the LISTEN connection no bound.
    static let operationDeadline: Duration = .seconds(10)

    /// A transaction PostgreSQL ended as a deadlock victim or a serialization failure rolled
    /// back whole, so it is run again, up to five times in all, after a random pause of up to
    /// 20 ms times the attempt so that the same partners do not meet again (PostgreSQL manual,
    /// 13.6: such transactions are to be retried). Concurrent reuses of one refresh token at
    /// several instances revoke its family at once and can deadlock one another
    /// (docs/rolling-restarts.md).
    public func transaction<T: Sendable>(
        _ body: @escaping @Sendable (any StoreOperations) async throws -> T
    ) async throws -> T {
        var attempt = 1
        let logger = self.logger
        while true {
            do {
                return try await withClient { client in
                    try await withDeadline(Self.operationDeadline) {
                        try await client.withTransaction(logger: logger) { connection in
                            try await body(PostgresTransaction(connection: connection, logger: logger))
                        }
                    }
                }
            } catch StoreError.conflict(let what) where what.hasPrefix(Self.concurrentTransaction) && attempt < 5 {
                logger.notice("Transaction run again", metadata: ["attempt": "\(attempt + 1)", "cause": "\(what)"])
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...20) * attempt))
                attempt += 1
            }
        }
    }

    /// How `mapErrors` names a deadlock (40P01) or serialization failure (40001).
    static let concurrentTransaction = "concurrent transaction: "

    public func transactionIfLockFree<T: Sendable>(
        job: ScheduledJob, _ body: @escaping @Sendable (any StoreOperations) async throws -> T
    ) async throws -> T? {
        let logger = self.logger
        return try await withClient { client in
            // Bounded like a request's transaction, only longer, and answering at once when the
            // job is cancelled: a shutdown right after the database came back once waited for
            // ever here on a connection being created, past the shutdown bound.
            try await withDeadline(Self.jobDeadline) {
                try await client.withTransaction(logger: logger) { connection -> T? in
                    let transaction = PostgresTransaction(connection: connection, logger: logger)
                    let locked = try await transaction.first(
                        "SELECT pg_try_advisory_xact_lock($1) AS locked", [.int(Int(job.rawValue))])
                    guard try locked?.bool("locked") == true else { return nil }
                    return try await body(transaction)
                }
            }
        }
    }

    /// How long one transaction of a scheduled job may take (a purge batch of 1,000 rows, a key
    /// rotation with its new key, a page of logout deliveries): far more than any takes.
    static let jobDeadline: Duration = .seconds(60)

    public func listenForChanges(_ wake: @escaping @Sendable () -> Void) async throws {
        try await withClient { client in
            try await withAbandonOnCancel {
                try await client.withConnection { connection in
                    try await connection.listen(on: ChangeFeedChannel.name) { notifications in
                        // Caches may have missed changes while no one listened: catch up once now.
                        wake()
                        for try await _ in notifications { wake() }
                    }
                }
            }
        }
    }

    public func migrate() async throws -> [String] {
        try await withClient { client in
            try await client.withTransaction(logger: logger) { connection in
                let transaction = PostgresTransaction(connection: connection, logger: logger)
                // Held until commit: a second instance waits here, then finds nothing left to apply.
                try await transaction.execute(
                    "SELECT pg_advisory_xact_lock($1)", [.int(Int(ScheduledJob.migration.rawValue))])
                return try await transaction.applyPendingMigrations()
            }
        }
    }

    public func checkHealth(timeout: Duration) async throws {
        _ = try await withDeadline(timeout) { try await self.execute("SELECT 1", []) }
    }

    /// Binds each value in the PostgreSQL type its column has, then reads every cell back by type.
    static func run(
        _ sql: String, _ binds: [SQLValue], logger: Logger,
        _ query: (PostgresQuery, Logger) async throws -> PostgresRowSequence
    ) async throws -> [SQLRow] {
        var bindings = PostgresBindings(capacity: binds.count)
        for bind in binds {
            switch bind {
            case .text(let text): bindings.append(text)
            case .int(let number): bindings.append(number)
            case .bool(let flag): bindings.append(flag)
            case .uuid(let id): bindings.append(id)
            case .date(let date): bindings.append(date.roundedToMilliseconds)
            case .bytes(let bytes): bindings.append(ByteBuffer(bytes: bytes))
            case .null: bindings.appendNull()
            }
        }
        var rows: [SQLRow] = []
        for try await row in try await query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger) {
            var values: [String: SQLValue] = [:]
            for cell in row {
                values[cell.columnName] = try decode(cell)
            }
            rows.append(SQLRow(values: values))
        }
        return rows
    }

    private static func decode(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .uuid: return .uuid(try cell.decode(UUID.self))
        case .int2, .int4, .int8: return .int(try cell.decode(Int.self))
        case .bool: return .bool(try cell.decode(Bool.self))
        // Written rounded to milliseconds, read back as microseconds: rounded again, so a value
        // reads back equal to what was written (postgres-nio truncates on the way in).
        case .timestamptz, .timestamp: return .date(try cell.decode(Date.self).roundedToMilliseconds)
        case .bytea: return .bytes(Array(buffer: try cell.decode(ByteBuffer.self)))
        default: return .text(try cell.decode(String.self))
        }
    }

    /// Maps driver errors to `StoreError` so no caller depends on postgres-nio.
    static func mapErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as StoreError {
            throw error
        } catch let error as PostgresTransactionError {
            // postgres-nio wraps whatever failed inside `withTransaction`. Judge the cause: what the
            // body threw passes through as on SQLite (a conflict stays a conflict instead of reading
            // as an outage), a driver error is mapped like any other.
            if let cause = error.closureError, !(cause is PSQLError) { throw cause }
            if let cause = error.closureError ?? error.beginError ?? error.commitError {
                return try await mapErrors { throw cause }
            }
            throw StoreError.unavailable("\(error)")
        } catch let error as PSQLError {
            if let state = error.serverInfo?[.sqlState] {
                if state == "23505" { throw StoreError.conflict(error.serverInfo?[.message] ?? "unique key") }
                if state == "40001" || state == "40P01" {
                    throw StoreError.conflict("\(concurrentTransaction)\(error.serverInfo?[.message] ?? state)")
                }
                throw StoreError.unavailable("PostgreSQL \(state): \(error.serverInfo?[.message] ?? "")")
            }
            throw StoreError.unavailable("PostgreSQL: \(error.code)")
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw StoreError.unavailable("\(error)")
        }
    }
}

/// The same operations on one connection inside `BEGIN … COMMIT`.
struct PostgresTransaction: SQLExecutor {
    let dialect = SQLDialect.postgres
    let connection: PostgresConnection
    let logger: Logger

    @discardableResult
    func execute(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await PostgresStore.run(sql, binds, logger: logger) { try await connection.query($0, logger: $1) }
    }
}
