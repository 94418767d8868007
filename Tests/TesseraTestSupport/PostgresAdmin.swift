import Foundation
import Logging
import NIOPosix
import PostgresNIO

/// Statements the store never runs (creating databases, terminating connections), for tests.
public enum PostgresAdmin {
    public static func execute(_ sql: String, on url: String) async throws {
        guard let components = URLComponents(string: url), let host = components.host else {
            throw TestSetupError("bad PostgreSQL URL \(url)")
        }
        let configuration = PostgresConnection.Configuration(
            host: host, port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password, database: String(components.path.dropFirst()), tls: .disable)
        let connection = try await PostgresConnection.connect(
            configuration: configuration, id: 1, logger: TestDatabases.logger)
        do {
            _ = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabases.logger)
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }
}
