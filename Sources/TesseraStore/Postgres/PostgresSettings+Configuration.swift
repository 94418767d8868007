import NIOSSL
import PostgresNIO

/// The postgres-nio configurations one host of the URL is reached with: a pool for the host in
/// use, and single connections to probe a host's role (docs/database-failover.md).
extension DatabaseURL.PostgresSettings {
    /// The pool of `host`. A refused or silent host fails a connection attempt within 3 s.
    func clientConfiguration(for host: PostgresHost) -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host.host, port: host.port, username: username, password: password, database: database,
            tls: clientTLS)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.minimumConnections = 0
        configuration.options.connectTimeout = .seconds(3)
        return configuration
    }

    /// One connection that asks `host` for its role: a short timeout, since a probe round tries
    /// every host in turn while requests wait.
    func probeConfiguration(for host: PostgresHost) throws -> PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(
            host: host.host, port: host.port, username: username, password: password, database: database,
            tls: try connectionTLS)
        configuration.options.connectTimeout = .seconds(2)
        return configuration
    }

    /// Several hosts, or one that must be the primary: only then is the primary looked for.
    var followsPrimary: Bool { hosts.count > 1 || targetSessionAttributes != .any }

    private var tlsConfiguration: TLSConfiguration? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch sslmode {
        case "disable": return nil
        case "require": configuration.certificateVerification = .none
        default: configuration.certificateVerification = .fullVerification
        }
        return configuration
    }

    private var clientTLS: PostgresClient.Configuration.TLS {
        tlsConfiguration.map { .require($0) } ?? .disable
    }

    private var connectionTLS: PostgresConnection.Configuration.TLS {
        get throws {
            guard let configuration = tlsConfiguration else { return .disable }
            return .require(try NIOSSLContext(configuration: configuration))
        }
    }
}
