import Foundation
import Logging
import NIOSSL
import PostgresNIO

/// Where the state lives, parsed from `--database-url` / `TESSERA_DATABASE_URL`:
/// `sqlite://PATH` (relative to the working directory, or `sqlite:///abs/path`) or
/// `postgres://user:pass@host:port/db?sslmode=disable|require&pool=N`.
public enum DatabaseURL: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(PostgresSettings)

    public static let defaultValue = "sqlite://.tessera/tessera.sqlite"

    public struct PostgresSettings: Sendable, Equatable {
        public var host: String
        public var port: Int
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
        guard let components = URLComponents(string: text),
            components.scheme == "postgres" || components.scheme == "postgresql"
        else {
            throw bad("use sqlite://PATH or postgres://user:password@host:port/database")
        }
        guard let host = components.host, !host.isEmpty else { throw bad("postgres URL has no host") }
        let database = String(components.path.drop(while: { $0 == "/" }))
        let query = Dictionary(
            (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let sslmode = query["sslmode"] ?? "disable"
        guard ["disable", "require", "verify-full"].contains(sslmode) else {
            throw bad("sslmode must be disable, require or verify-full")
        }
        let pool = Int(query["pool"] ?? "20") ?? 0
        guard (1...500).contains(pool) else { throw bad("pool must be a number of connections between 1 and 500") }
        self = .postgres(
            PostgresSettings(
                host: host, port: components.port ?? 5432,
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
            var configuration = PostgresClient.Configuration(
                host: settings.host, port: settings.port, username: settings.username,
                password: settings.password, database: settings.database,
                tls: settings.tls)
            configuration.options.maximumConnections = settings.maximumConnections
            configuration.options.minimumConnections = 0
            configuration.options.connectTimeout = .seconds(3)
            let store = PostgresStore(configuration: configuration, logger: logger)
            // Let the client's run loop start before the first query leases a connection.
            for _ in 0..<3 { await Task.yield() }
            return store
        }
    }
}

extension DatabaseURL.PostgresSettings {
    var tls: PostgresClient.Configuration.TLS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch sslmode {
        case "disable": return .disable
        case "require": configuration.certificateVerification = .none
        default: configuration.certificateVerification = .fullVerification
        }
        return .require(configuration)
    }
}
