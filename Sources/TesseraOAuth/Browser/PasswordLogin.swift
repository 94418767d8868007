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
    /// Users with a confirmed factor give it after the password; nil: passwords only.
    let secondFactors: SecondFactors?
    let clock: @Sendable () -> Date

    public init(
        store: any Store, passwords: PasswordHasher, secondFactors: SecondFactors? = nil,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) async throws {
        self.store = store
        self.passwords = passwords
        self.throttle = LoginThrottle(store: store)
        self.secondFactors = secondFactors
        self.decoyHash = try await passwords.hash(RandomToken.generate(bytes: 16))
        self.clock = clock
    }

    /// What a right password leads to (the tenant's `mfa` setting and the user's factors).
    public enum Next: Sendable, Equatable {
        /// Signed in.
        case complete
        /// The user's code, on the code page.
        case secondFactor
        /// `mfa = required` and the user has no factor: they enrol one before the sign-in ends.
        case enrolment
    }

    /// The user whose password this is, and what must follow. Until the sign-in completes, the
    /// failures counted so far stay: a known password does not buy fresh guesses at codes.
    public func authenticate(
        tenant: TenantContext, username rawUsername: String, password: String, address: String?, requestID: String?
    ) async throws(Failure) -> (user: User, next: Next) {
        let username = (try? User.normalizeUsername(rawUsername)) ?? ""
        let keys = Self.throttleKeys(tenant, username, address)
        if let wait = try await waitingTime(keys) {
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
            let lockedOut = try await recordFailure(keys)
            await audit(tenant, lockedOut ? .loginLockout : .loginFailure, username, address, requestID)
            throw .invalidCredentials
        }
        let next = try await nextStep(for: user, tenant: tenant)
        if next == .complete {
            await recordSuccess(keys[0])
            await audit(tenant, .loginSuccess, username, address, requestID, actor: "user:\(user.id)")
        }
        return (user, next)
    }

    /// What follows a first factor (a right password, or a sign-in at an upstream provider):
    /// the tenant's `mfa` setting and the user's factors decide.
    public func nextStep(for user: User, tenant: TenantContext) async throws(Failure) -> Next {
        guard let secondFactors, tenant.settings.mfa != .off else { return .complete }
        do throws(SecondFactors.Failure) {
            if try await secondFactors.isRequired(for: user) { return .secondFactor }
            return tenant.settings.mfa == .required ? .enrolment : .complete
        } catch {
            throw .unavailable
        }
    }

    /// The second step of a sign-in whose password was right: the user's TOTP code or one of
    /// their recovery codes, under the same back-off as passwords (per user and per address).
    public func verifySecondFactor(
        _ code: String, user: User, tenant: TenantContext, address: String?, requestID: String?
    ) async throws(Failure) {
        try await verifySecondStep(user: user, tenant: tenant, address: address, requestID: requestID) {
            () async throws(SecondFactors.Failure) in
            guard let secondFactors else { throw SecondFactors.Failure.wrongCode }
            try await secondFactors.verify(code, for: user)
        }
    }

    /// A second step checked by `check` (a typed code, a passkey), under the back-off of the
    /// password before it: `.wrongCode` counts as a failure.
    public func verifySecondStep(
        user: User, tenant: TenantContext, address: String?, requestID: String?,
        _ check: () async throws(SecondFactors.Failure) -> Void
    ) async throws(Failure) {
        let keys = Self.throttleKeys(tenant, user.username, address)
        if let wait = try await waitingTime(keys) {
            await audit(tenant, .loginThrottled, user.username, address, requestID)
            throw .throttled(retryAfter: wait)
        }
        do throws(SecondFactors.Failure) {
            try await check()
        } catch .wrongCode {
            let lockedOut = try await recordFailure(keys)
            await audit(
                tenant, lockedOut ? .loginLockout : .secondFactorFailure, user.username, address, requestID,
                actor: "user:\(user.id)")
            throw .invalidCredentials
        } catch {
            throw .unavailable
        }
        await recordSuccess(keys[0])
        await audit(tenant, .loginSuccess, user.username, address, requestID, actor: "user:\(user.id)")
    }

    /// A first factor that names its user only once checked (a passkey without a username):
    /// an address in back-off waits, as for passwords, but a refusal adds no failure: a
    /// signature cannot be guessed online, and one broken authenticator behind an office's
    /// shared address must not lock everyone there out of their passwords. Refusals and
    /// successes are audited.
    public func verifyFirstStep(
        tenant: TenantContext, address: String?, requestID: String?,
        _ check: () async throws(SecondFactors.Failure) -> User
    ) async throws(Failure) -> User {
        if let wait = try await waitingTime([.address(address, in: tenant)]) {
            await audit(tenant, .loginThrottled, "", address, requestID)
            throw .throttled(retryAfter: wait)
        }
        let user: User
        do throws(SecondFactors.Failure) {
            user = try await check()
        } catch .wrongCode {
            await audit(tenant, .loginFailure, "", address, requestID)
            throw .invalidCredentials
        } catch {
            throw .unavailable
        }
        await audit(tenant, .loginSuccess, user.username, address, requestID, actor: "user:\(user.id)")
        return user
    }

    static func throttleKeys(
        _ tenant: TenantContext, _ username: String, _ address: String?
    )
        -> [LoginThrottle.Subject]
    {
        [.user(username, in: tenant), .address(address, in: tenant)]
    }

    /// The back-off's answer; a database that cannot tell fails the sign-in closed.
    func waitingTime(_ subjects: [LoginThrottle.Subject]) async throws(Failure) -> Int? {
        do {
            return try await throttle.wait(for: subjects, now: clock())
        } catch {
            throw .unavailable
        }
    }

    /// A failure that cannot be counted fails the sign-in closed too: an attempt whose failure
    /// is forgotten would be a free guess.
    func recordFailure(_ subjects: [LoginThrottle.Subject]) async throws(Failure) -> Bool {
        do {
            return try await throttle.recordFailure(for: subjects, now: clock())
        } catch {
            throw .unavailable
        }
    }

    /// The user is in: their count goes. Failing to clear it only means earlier failures are
    /// forgiven a quarter of an hour later instead of now, so it does not fail the sign-in.
    private func recordSuccess(_ subject: LoginThrottle.Subject) async {
        try? await throttle.recordSuccess(for: subject)
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
