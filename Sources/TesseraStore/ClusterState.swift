import Foundation

/// The instances serving now, known by heartbeat (docs/cluster-limits.md). Each instance divides
/// its request budgets by the live count, so N instances together keep to one budget.
public protocol InstanceRegistry: Sendable {
    /// Records that `instance` is alive at `date`, forgets instances silent since before
    /// `forgetBefore`, and returns how many instances (this one included) beat since `liveSince`.
    func heartbeat(
        instance: UUID, startedAt: Date, at date: Date, liveSince: Date, forgetBefore: Date
    )
        async throws -> Int
    /// The instance is leaving (graceful shutdown): the others count one fewer at their next beat.
    func removeInstance(_ instance: UUID) async throws
}

/// Failed sign-ins per user and per address, shared by every instance so back-off counts the
/// failures made anywhere. Rows are keyed by a `subject` such as `user:alice` or `address:…`.
public protocol LoginFailureStore: Sendable {
    /// The latest `blocked_until` among `subjects` that is after `date`, if any.
    func loginBlockedUntil(tenantID: UUID, subjects: [String], after date: Date) async throws -> Date?
    /// Counts one failure for `subject` atomically (concurrent failures at several instances all
    /// count): a count whose last failure came before `forgiveBefore` starts again at 1. Returns
    /// the new count.
    func recordLoginFailure(
        tenantID: UUID, subject: String, at date: Date, forgiveBefore: Date, expiresAt: Date
    )
        async throws -> Int
    /// Blocks `subject` until `date` (never shortening a block already set further out); the
    /// row's `expiresAt` from the failure that led here must lie beyond it.
    func blockLogin(tenantID: UUID, subject: String, until date: Date) async throws
    func clearLoginFailures(tenantID: UUID, subject: String) async throws
}
