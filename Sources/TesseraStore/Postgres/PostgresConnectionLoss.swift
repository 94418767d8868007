import NIOCore
import PostgresNIO

/// Whether a driver error says the host in use may no longer be the primary, so that the
/// others are probed (docs/database-failover.md). A failed statement on a healthy primary (a
/// unique key, a serialisation failure) does not; a lost connection, a server shutting down or
/// starting up, and a write refused as read-only (a standby answered) do.
enum PostgresConnectionLoss {
    static func isLoss(_ error: any Error) -> Bool {
        switch error {
        case let error as PostgresTransactionError:
            return [error.beginError, error.closureError, error.commitError].contains { $0.map(isLoss) ?? false }
        case let error as PSQLError:
            if let state = error.serverInfo?[.sqlState] { return isLoss(sqlState: state) }
            return [.connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection]
                .contains(error.code)
        case is ChannelError, is IOError:
            // Connect timeouts and resets below the driver.
            return true
        default:
            // Anything else (the pool's circuit breaker among them) is left to the watch, which
            // probes the host in use every second.
            return false
        }
    }

    /// SQLSTATE classes of PostgreSQL Appendix A: 08 connection exception; 57P01–57P03 admin or
    /// crash shutdown and "cannot connect now" (recovery, start-up); 25006 read-only SQL
    /// transaction, what a standby answers to a write.
    static func isLoss(sqlState state: String) -> Bool {
        state.hasPrefix("08") || ["57P01", "57P02", "57P03", "25006"].contains(state)
    }
}
