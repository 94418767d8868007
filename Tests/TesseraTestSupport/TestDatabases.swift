import Foundation
import Logging
import TesseraCore
import TesseraStore

/// The backends the storage conformance suite and the HTTP tests run against.
public enum TestBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }
}

/// Hands out empty databases: a fresh SQLite file, or a fresh PostgreSQL database created on
/// the server `scripts/test` started (`TESSERA_TEST_DATABASE_URL`). Each test gets its own, so
/// tests never see each other's rows and can run in any order.
public enum TestDatabases {
    public static let logger: Logger = {
        var logger = Logger(label: "tessera.test")
        logger.logLevel = .warning
        return logger
    }()

    /// The server `scripts/test` started; a missing one is a failure, not a skip, so CI cannot
    /// pass while the PostgreSQL half of the suite silently did not run.
    public static func postgresBaseURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["TESSERA_TEST_DATABASE_URL"], !url.isEmpty else {
            throw TestSetupError(
                "TESSERA_TEST_DATABASE_URL is not set: run the suite with scripts/test, which starts PostgreSQL")
        }
        return url
    }

    /// A database URL for a new, empty database of `backend`.
    public static func freshURL(_ backend: TestBackend) async throws -> String {
        switch backend {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "tessera-test-\(UUID().uuidString)")
            return "sqlite://\(folder.path)/tessera.sqlite"
        case .postgres:
            let base = try postgresBaseURL()
            let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
            try await PostgresAdmin.execute("CREATE DATABASE \(name)", on: base)
            guard var components = URLComponents(string: base) else { throw TestSetupError("bad URL \(base)") }
            components.path = "/\(name)"
            return components.string ?? base
        }
    }

    /// A migrated store on a fresh database.
    public static func freshStore(_ backend: TestBackend) async throws -> any Store {
        let store = try await DatabaseURL(try await freshURL(backend)).open(logger: logger)
        _ = try await store.migrate()
        return store
    }
}

public struct TestSetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
