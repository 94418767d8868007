import HummingbirdBcrypt
import NIOCore
import NIOPosix

/// bcrypt on a thread pool of its own: a hash takes 70 ms or more at cost 10, which on an event
/// loop would stall every connection it serves. Not NIO's shared pool either: SQLite's blocking
/// calls run there, and a burst of logins queued ahead of them made `/readyz` time out.
public struct PasswordHasher: Sendable {
    static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: max(1, System.coreCount))
        pool.start()
        return pool
    }()

    public let cost: Int

    public static let minimumCost = 10
    public static let defaultCost = 11

    public init(cost: Int = PasswordHasher.defaultCost) throws(PasswordHasherError) {
        guard (Self.minimumCost...16).contains(cost) else { throw .costOutOfRange(cost) }
        self.cost = cost
    }

    public func hash(_ password: String) async throws -> String {
        let cost = UInt8(self.cost)
        return try await Self.pool.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, against hash: String) async throws -> Bool {
        try await Self.pool.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}

public enum PasswordHasherError: Error, CustomStringConvertible {
    case costOutOfRange(Int)

    public var description: String {
        switch self {
        case .costOutOfRange(let cost):
            "bcrypt cost \(cost) is out of range: use \(PasswordHasher.minimumCost) to 16 (default \(PasswordHasher.defaultCost))"
        }
    }
}
