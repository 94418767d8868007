import Foundation

/// An aggregate an admin changes with `ETag`/`If-Match`: every change bumps `version`, and a
/// write is accepted only over the version it was made from.
public protocol Versioned {
    var version: Int { get set }
    var updatedAt: Date { get set }
}

extension Tenant: Versioned {}
extension Client: Versioned {}
extension User: Versioned {}
