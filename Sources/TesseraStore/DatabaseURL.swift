import Foundation
import Logging
import NIOSSL
import PostgresNIO

/// Where the state lives, parsed from `--database-url` / `TESSERA_DATABASE_URL`:
/// `sqlite://PATH` (relative to the working directory, or `sqlite:///abs/path`) or
/// `postgres://user:pass@host:port/db?sslmode=disable|require&pool=N`, where the host may be a
/// list, `h1:5432,h2:5433`, with `target_session_attrs=read-write|primary|any` saying which of
/// them to use (docs/database-failover.md).
public enum DatabaseURL: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(PostgresSettings)

    public static let defaultValue = "sqlite://.tessera/tessera.sqlite"

    public struct PostgresSettings: Sendable, Equatable {
        /// In the order they are tried; one for a single-host URL.
        public var hosts: [PostgresHost]
        /// Which of `hosts` to use; libpq's default, `any`, when the URL does not say.
        public var targetSessionAttributes: TargetSessionAttributes
        public var username: String
        public var password: String?
        public var database: String
        /// `disable`, `require` (encrypted, server not verified) or `verify-full`, as libpq names them.
        public var sslmode: String
        public var maximumConnections: Int
    }

    public init(_ text: String) throws {
        let bad = { (why: String) in StoreError.configuration("invalid database URL: \(why)") }
        if text.hasPrefix("sqlite://") {
            let path = String(text.dropFirst("sqlite://".count))
            guard !path.isEmpty else {
                throw bad("sqlite:// needs a file path, such as sqlite://.tessera/tessera.sqlite")
            }
            self = .sqlite(path: path)
            return
        }
        guard let schemeEnd = text.range(of: "://"), ["postgres", "postgresql"].contains(text[..<schemeEnd.lowerBound])
        else {
            throw bad("use sqlite://PATH or postgres://user:password@host:port/database")
        }
        let hostList = try PostgresHostList(afterScheme: text[schemeEnd.upperBound...])
        // The host list is read above; URLComponents reads the rest with one stand-in host.
        let userInfo = hostList.userInfo.map { "\($0)@" } ?? ""
        guard let components = URLComponents(string: "postgres://\(userInfo)localhost\(hostList.remainder)") else {
            throw bad("use sqlite://PATH or postgres://user:password@host:port/database")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        let query = Dictionary(
            (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let sslmode = query["sslmode"] ?? "disable"
        guard ["disable", "require", "verify-full"].contains(sslmode) else {
            throw bad("sslmode must be disable, require or verify-full")
        }
        let pool = Int(query["pool"] ?? "20") ?? 0
        guard (1...500).contains(pool) else { throw bad("pool must be a number of connections between 1 and 500") }
        let targetText = query["target_session_attrs"] ?? TargetSessionAttributes.any.rawValue
        guard let target = TargetSessionAttributes(rawValue: targetText) else {
            throw bad(
                "target_session_attrs '\(targetText)' is not supported; use read-write or primary (follow the primary) or any"
            )
        }
        self = .postgres(
            PostgresSettings(
                hosts: hostList.hosts, targetSessionAttributes: target,
                username: components.user?.removingPercentEncoding ?? "postgres",
                password: components.password?.removingPercentEncoding,
                database: database.isEmpty ? (components.user ?? "postgres") : database,
                sslmode: sslmode, maximumConnections: pool))
    }

    public var backend: StoreBackend {
        switch self {
        case .sqlite: .sqlite
        case .postgres: .postgres
        }
    }

    /// Opens the store; nothing is migrated yet.
    public func open(logger: Logger) async throws -> any Store {
        switch self {
        case .sqlite(let path):
            return try await SQLiteStore.open(path: path, logger: logger)
        case .postgres(let settings):
            return await PostgresStore.open(settings: settings, logger: logger)
        }
    }
}
