import Foundation
import Logging
import NIOCore
import SQLiteNIO
import TesseraCore

/// The zero-setup backend: one file, one connection, one instance. Every statement and every
/// transaction takes the connection's lock in turn, which is also what makes SQLite's
/// single-writer rule harmless here.
public final class SQLiteStore: Store, SQLExecutor {
    public let backend = StoreBackend.sqlite
    let dialect = SQLDialect.sqlite
    private let connection: SQLiteConnection
    private let lock = AsyncLock()

    /// Opens (and creates) the database file, and its folder when missing.
    public static func open(path: String, logger: Logger) async throws -> SQLiteStore {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let isNew = !FileManager.default.fileExists(atPath: path)
            let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            // Sealed keys and secret hashes are in it: readable by the owner only.
            if isNew { try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path) }
            let store = SQLiteStore(connection: connection)
            // WAL keeps readers of the file (backups, sqlite3) from blocking us; foreign keys are
            // not used, busy_timeout covers another process touching the file briefly.
            _ = try await connection.query("PRAGMA journal_mode = WAL", [])
            _ = try await connection.query("PRAGMA busy_timeout = 5000", [])
            _ = try await connection.query("PRAGMA synchronous = NORMAL", [])
            return store
        } catch {
            throw StoreError.unavailable("cannot open SQLite database at \(path): \(error)")
        }
    }

    /// An in-memory database, gone when closed; for tests.
    public static func inMemory(logger: Logger) async throws -> SQLiteStore {
        SQLiteStore(connection: try await SQLiteConnection.open(storage: .memory, logger: logger))
    }

    private init(connection: SQLiteConnection) { self.connection = connection }

    public func close() async {
        try? await connection.close()
    }

    @discardableResult
    func execute(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await lock.withLock { try await Self.run(self.connection, sql, binds) }
    }

    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any StoreOperations) async throws -> T) async throws -> T {
        try await lock.withLock {
            try await self.inTransaction { try await body(SQLiteTransaction(connection: self.connection)) }
        }
    }

    /// Caller holds the lock.
    private func inTransaction<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await Self.run(connection, "BEGIN IMMEDIATE", [])
        do {
            let result = try await body()
            try await Self.run(connection, "COMMIT", [])
            return result
        } catch {
            _ = try? await Self.run(connection, "ROLLBACK", [])
            throw error
        }
    }

    /// One process owns a SQLite file, so the lock is always free.
    public func transactionIfLockFree<T: Sendable>(
        job: ScheduledJob, _ body: @escaping @Sendable (any StoreOperations) async throws -> T
    ) async throws -> T? {
        try await transaction(body)
    }

    /// No other instance writes to this file while we serve; the CLI's changes are found by polling.
    public func listenForChanges(_ wake: @escaping @Sendable () -> Void) async throws {
        while !Task.isCancelled { try await Task.sleep(for: .seconds(3_600)) }
    }

    public func migrate() async throws -> [String] {
        // One process owns a SQLite file; the lock and BEGIN IMMEDIATE cover the rest.
        try await lock.withLock {
            try await self.inTransaction {
                try await SQLiteTransaction(connection: self.connection).applyPendingMigrations()
            }
        }
    }

    public func checkHealth(timeout: Duration) async throws {
        _ = try await withDeadline(timeout) { try await self.execute("SELECT 1", []) }
    }

    @discardableResult
    static func run(_ connection: SQLiteConnection, _ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        let values: [SQLiteData] = binds.map { bind in
            switch bind {
            case .text(let text): .text(text)
            case .int(let number): .integer(number)
            case .bool(let flag): .integer(flag ? 1 : 0)
            // Lowercase, so text order matches PostgreSQL's uuid order.
            case .uuid(let id): .text(id.uuidString.lowercased())
            case .date(let date): .integer(Int((date.timeIntervalSince1970 * 1_000).rounded()))
            case .bytes(let bytes): .blob(ByteBuffer(bytes: bytes))
            case .null: .null
            }
        }
        do {
            return try await connection.query(numberedPlaceholders(sql), values).map { row in
                var cells: [String: SQLValue] = [:]
                for column in row.columns {
                    cells[column.name] =
                        switch column.data {
                        case .integer(let number): .int(number)
                        case .float(let number): .int(Int(number))
                        case .text(let text): .text(text)
                        case .blob(let buffer): .bytes(Array(buffer: buffer))
                        case .null: .null
                        }
                }
                return SQLRow(values: cells)
            }
        } catch let error as SQLiteError {
            switch error.reason {
            case .constraintUniqueFailed, .constraintPrimaryKeyFailed:
                throw StoreError.conflict(error.message)
            default:
                throw StoreError.unavailable("SQLite: \(error)")
            }
        }
    }

    /// `$1` becomes `?1`, SQLite's numbered parameter, so both backends share one SQL text.
    static func numberedPlaceholders(_ sql: String) -> String {
        var result = ""
        result.reserveCapacity(sql.utf8.count)
        var inQuote = false
        for character in sql {
            if character == "'" { inQuote.toggle() }
            result.append(character == "$" && !inQuote ? "?" : character)
        }
        return result
    }
}

struct SQLiteTransaction: SQLExecutor {
    let dialect = SQLDialect.sqlite
    let connection: SQLiteConnection

    @discardableResult
    func execute(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await SQLiteStore.run(connection, sql, binds)
    }
}
