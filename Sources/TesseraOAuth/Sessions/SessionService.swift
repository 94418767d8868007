import Foundation
import TesseraCore
import TesseraStore

/// Sign-in sessions with a server-side record (OIDC Back-Channel Logout 1.0 §2.1): started by
/// a completed sign-in, checked on every page a signed-in browser opens (one primary-key read,
/// no write), and ended by a sign-out here, at an app (RP-initiated logout) or from the account
/// page of another browser. Ending one queues a logout token for each client the session reached
/// that registered a `backchannel_logout_uri`, in the same transaction (the outbox that
/// `BackChannelLogoutSender` works off).
public struct SessionService: Sendable {
    let store: any Store
    let clock: @Sendable () -> Date

    /// The longest `session_ttl` a tenant may set: how long a session's list of clients is kept.
    static let longestSession: TimeInterval = 30 * 86_400

    public init(store: any Store, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.clock = clock
    }

    /// A sign-in just completed in a browser that holds `previous` (or nothing). The same user
    /// signing in again keeps the session and its `sid` with a new `auth_time`; anyone else's
    /// session in this browser ends, since its cookie is about to be replaced.
    public func signedIn(
        _ user: User, with methods: [AuthenticationMethod], tenant: TenantContext, previous: LoginSession?,
        browser: String, requestID: String?
    ) async throws -> LoginSession {
        let now = clock()
        let expiresAt = now.addingTimeInterval(TimeInterval(tenant.settings.sessionTTL))
        if let sid = previous?.sid, let record = try await store.session(tenantID: tenant.id, sid: sid),
            record.isActive(at: now)
        {
            if record.userID == user.id {
                try await store.reauthenticateSession(
                    tenantID: tenant.id, sid: sid, authTime: now, methods: methods, expiresAt: expiresAt)
                return LoginSession(userID: user.id, authTime: now, expiresAt: expiresAt, methods: methods, sid: sid)
            }
            try await end([sid], of: nil, tenant: tenant, actor: "user:\(user.id)", requestID: requestID)
        }
        let record = SessionRecord(
            tenantID: tenant.id, sid: SessionRecord.generateSID(), userID: user.id, createdAt: now, authTime: now,
            expiresAt: expiresAt, methods: methods, browser: browser)
        try await store.insertSession(record)
        return LoginSession(userID: user.id, authTime: now, expiresAt: expiresAt, methods: methods, sid: record.sid)
    }

    /// The cookie's session when its record is still active and agrees with it; nil otherwise.
    /// A cookie without `sid` (sealed before sessions had records) counts as signed out.
    public func active(_ session: LoginSession?, tenant: TenantContext) async throws -> LoginSession? {
        let now = clock()
        guard let session, session.expiresAt > now, let sid = session.sid,
            let record = try await store.session(tenantID: tenant.id, sid: sid), record.isActive(at: now),
            record.userID == session.userID
        else { return nil }
        return session
    }

    /// The user's active sessions, newest first, for the account page.
    public func sessions(of userID: UUID, tenant: TenantContext) async throws -> [SessionRecord] {
        try await store.activeSessions(tenantID: tenant.id, userID: userID, at: clock())
    }

    /// The session reached the client: a code (or tokens) was issued to it in the session.
    func reached(_ clientID: String, sid: String, tenant: TenantContext, operations: any StoreOperations) async throws {
        let now = clock()
        // Kept as long as the session could last, even after a re-authentication extends it.
        try await operations.recordSessionClient(
            tenantID: tenant.id, sid: sid, clientID: clientID, at: now,
            expiresAt: now.addingTimeInterval(Self.longestSession))
    }

    /// Ends the sessions `sids` (those of `userID` only, when given), in one transaction with the
    /// logout tokens they owe and an audit line each; returns how many were still active.
    @discardableResult
    public func end(
        _ sids: [String], of userID: UUID?, tenant: TenantContext, actor: String, requestID: String?
    ) async throws -> Int {
        let now = clock()
        return try await store.transaction { operations in
            var ended = 0
            for sid in Set(sids).sorted() {
                guard let record = try await operations.session(tenantID: tenant.id, sid: sid),
                    userID.map({ $0 == record.userID }) ?? true,
                    try await operations.endSession(tenantID: tenant.id, sid: sid, at: now)
                else { continue }
                ended += 1
                let queued = try await Self.queueLogoutTokens(for: record, tenant: tenant, at: now, operations)
                try await operations.appendAudit(
                    AuditRecord(
                        action: .sessionEnd, target: "user:\(record.userID)",
                        details: AuditDetails().string("browser", record.browser).number("logout_tokens", queued)),
                    tenantID: tenant.id, actor: actor, requestID: requestID, at: now)
            }
            return ended
        }
    }

    /// §2.5: one delivery for each active client the session reached that registered a
    /// `backchannel_logout_uri`; returns how many were queued.
    static func queueLogoutTokens(
        for record: SessionRecord, tenant: TenantContext, at now: Date, _ operations: any StoreOperations
    ) async throws -> Int {
        var queued = 0
        for clientID in try await operations.sessionClients(tenantID: tenant.id, sid: record.sid) {
            guard let client = try await operations.client(tenantID: tenant.id, id: clientID),
                client.status == .active, let registration = client.backchannelLogout
            else { continue }
            try await operations.insertLogoutDelivery(
                LogoutDelivery(
                    tenantID: tenant.id, clientID: clientID, uri: registration.uri, sid: record.sid,
                    subject: record.userID.uuidString.lowercased(), createdAt: now, nextAttemptAt: now))
            queued += 1
        }
        return queued
    }
}
