import Foundation
import Logging
import TesseraCore
import TesseraStore

/// Checks a username and password typed on a tenant's login page. Whatever goes wrong (no such
/// user, wrong password, disabled account) the answer is the same and takes a bcrypt's time, so
/// the page never tells whether an account exists. Failures back off and are audited.
public struct PasswordLogin: Sendable {
    public enum Failure: Error, Equatable, Sendable {
        case invalidCredentials
        /// Too many failures for this user or address: try again after this many seconds.
        case throttled(retryAfter: Int)
        case unavailable
    }

    let store: any Store
    let passwords: PasswordHasher
    let throttle: LoginThrottle
    /// Verified against when the user does not exist, so that case costs what a wrong password costs.
    let decoyHash: String
    let clock: @Sendable () -> Date

    public init(
        store: any Store, passwords: PasswordHasher, throttle: LoginThrottle = LoginThrottle(),
        clock: @escaping @Sendable () -> Date = { Date() }
    ) async throws {
        self.store = store
        self.passwords = passwords
        self.throttle = throttle
        self.decoyHash = try await passwords.hash(RandomToken.generate(bytes: 16))
        self.clock = clock
    }

    public func authenticate(
        tenant: TenantContext, username rawUsername: String, password: String, address: String?, requestID: String?
    ) async throws(Failure) -> User {
        let username = (try? User.normalizeUsername(rawUsername)) ?? ""
        let keys = ["user|\(tenant.id)|\(username)", "address|\(tenant.id)|\(address ?? "-")"]
        if let wait = await throttle.wait(for: keys, now: clock()) {
            await audit(tenant, .loginThrottled, username, address, requestID)
            throw .throttled(retryAfter: wait)
        }
        let user: User?
        do {
            user = username.isEmpty ? nil : try await store.user(tenantID: tenant.id, username: username)
        } catch {
            throw .unavailable
        }
        let matches: Bool
        do {
            matches = try await passwords.verify(password, against: user?.passwordHash ?? decoyHash)
        } catch {
            throw .unavailable
        }
        guard let user, matches, user.status == .active, user.tenantID == tenant.id else {
            let lockedOut = await throttle.recordFailure(for: keys, now: clock())
            await audit(tenant, lockedOut ? .loginLockout : .loginFailure, username, address, requestID)
            throw .invalidCredentials
        }
        await throttle.recordSuccess(for: keys[0])
        await audit(tenant, .loginSuccess, username, address, requestID, actor: "user:\(user.id)")
        return user
    }

    private func audit(
        _ tenant: TenantContext, _ action: AuditAction, _ username: String, _ address: String?, _ requestID: String?,
        actor: String? = nil
    ) async {
        // The audit row is evidence, not a gate: a failed write must not turn a login into a 500.
        try? await store.appendAudit(
            AuditRecord(action: action, target: "username:\(username.prefix(254))"), tenantID: tenant.id,
            actor: actor ?? "address:\(address ?? "unknown")", requestID: requestID, at: clock())
    }
}
