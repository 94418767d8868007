import Foundation
import TesseraCore
import TesseraStore

/// Backs off failed logins per user and per address: after a few free attempts each failure
/// doubles the wait, up to a cap, so guessing a password online is too slow to matter while a
/// user who mistyped waits seconds. A success clears the user's count.
///
/// The counts live in the database (`login_failures`), not in one instance's memory: behind a
/// load balancer a guesser's attempts land on every instance, and back-off must count them all
/// (docs/cluster-limits.md). A sign-in already costs a password hash, so the round trip is
/// cheap beside it.
public struct LoginThrottle: Sendable {
    /// Who is counted: a user of a tenant, or an address at a tenant's login or device pages.
    public struct Subject: Sendable, Hashable {
        let tenantID: UUID
        let key: String

        public static func user(_ username: String, in tenant: TenantContext) -> Subject {
            Subject(tenantID: tenant.id, key: "user:\(username)")
        }

        public static func address(_ address: String?, in tenant: TenantContext) -> Subject {
            Subject(tenantID: tenant.id, key: "address:\(address ?? "-")")
        }

        /// Wrong user codes at the device page: counted apart from passwords, so a TV's typo
        /// does not slow its owner's sign-in.
        public static func deviceCodes(from address: String?, in tenant: TenantContext) -> Subject {
            Subject(tenantID: tenant.id, key: "device:\(address ?? "-")")
        }
    }

    public static let freeAttempts = 5
    public static let maximumDelay: TimeInterval = 15 * 60
    let store: any LoginFailureStore

    public init(store: any LoginFailureStore) { self.store = store }

    /// How long to block after the `failures`-th failure in a row: nothing for the free
    /// attempts, then 2 s, 4 s, 8 s, … up to `maximumDelay`.
    static func delay(afterFailures failures: Int) -> TimeInterval? {
        guard failures >= freeAttempts else { return nil }
        return min(maximumDelay, pow(2, Double(min(failures - freeAttempts + 1, 20))))
    }

    /// Seconds to wait before `subjects` may try again, or nil when they may try now.
    public func wait(for subjects: [Subject], now: Date = Date()) async throws -> Int? {
        var until: Date?
        for (tenantID, keys) in Dictionary(grouping: subjects, by: \.tenantID) {
            if let blocked = try await store.loginBlockedUntil(
                tenantID: tenantID, subjects: keys.map(\.key), after: now)
            {
                until = max(until ?? blocked, blocked)
            }
        }
        guard let until else { return nil }
        return max(1, Int(until.timeIntervalSince(now).rounded(.up)))
    }

    /// Counts a failure for each subject; returns true when one of them is now locked out.
    /// A quiet quarter of an hour forgives earlier failures.
    @discardableResult
    public func recordFailure(for subjects: [Subject], now: Date = Date()) async throws -> Bool {
        var lockedOut = false
        for subject in subjects {
            let failures = try await store.recordLoginFailure(
                tenantID: subject.tenantID, subject: subject.key, at: now,
                forgiveBefore: now.addingTimeInterval(-Self.maximumDelay),
                expiresAt: now.addingTimeInterval(2 * Self.maximumDelay))
            if let delay = Self.delay(afterFailures: failures) {
                try await store.blockLogin(
                    tenantID: subject.tenantID, subject: subject.key, until: now.addingTimeInterval(delay))
                lockedOut = true
            }
        }
        return lockedOut
    }

    public func recordSuccess(for subject: Subject) async throws {
        try await store.clearLoginFailures(tenantID: subject.tenantID, subject: subject.key)
    }
}
