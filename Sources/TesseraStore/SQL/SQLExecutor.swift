import Foundation
import TesseraCore

enum SQLDialect: Sendable {
    case postgres
    case sqlite
}

/// Runs one statement with `$1`-style binds. The store's operations are written once, as an
/// extension of this protocol, and every backend connection and transaction conforms to it.
protocol SQLExecutor: StoreOperations {
    var dialect: SQLDialect { get }
    @discardableResult
    func execute(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow]
}

extension SQLExecutor {
    func first(_ sql: String, _ binds: [SQLValue]) async throws -> SQLRow? {
        try await execute(sql, binds).first
    }
}

extension Date {
    /// Both backends keep milliseconds; rounding here makes what is read back equal what was written.
    var roundedToMilliseconds: Date {
        Date(timeIntervalSince1970: (timeIntervalSince1970 * 1_000).rounded() / 1_000)
    }
}
