import Foundation
import TesseraCore
import TesseraTestSupport
import Testing

@testable import TesseraStore

/// What the sign-in sessions and the back-channel logout outbox must do on every backend: a
/// session ends once, a foreign tenant sees nothing, and each delivery is claimed by one worker.
@Suite("Session store conformance")
struct SessionStoreConformanceTests {
    static func session(
        in tenant: Tenant, user: UUID = UUID(), at now: Date = Fixtures.now, expiresIn: TimeInterval = 3_600
    ) -> SessionRecord {
        SessionRecord(
            tenantID: tenant.id, sid: SessionRecord.generateSID(), userID: user, createdAt: now, authTime: now,
            expiresAt: now.addingTimeInterval(expiresIn), methods: [.password], browser: "Firefox on Linux")
    }

    static func delivery(in tenant: Tenant, due: Date, client: String = "web") -> LogoutDelivery {
        LogoutDelivery(
            tenantID: tenant.id, clientID: client, uri: "https://app.example.com/bcl", sid: "sid-1",
            subject: UUID().uuidString.lowercased(), createdAt: due, nextAttemptAt: due)
    }

    @Test(arguments: TestBackend.allCases)
    func aSessionIsReadRenewedListedAndEndedOnceInItsTenantOnly(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        let other = try await Fixtures.insertedTenant(store)
        let user = UUID()
        let now = Fixtures.now
        let first = Self.session(in: tenant, user: user)
        let second = Self.session(in: tenant, user: user, at: now.addingTimeInterval(10))
        let expired = Self.session(in: tenant, user: user, at: now.addingTimeInterval(-7_200))
        for record in [first, second, expired, Self.session(in: tenant)] { try await store.insertSession(record) }

        let read = try #require(try await store.session(tenantID: tenant.id, sid: first.sid))
        #expect(read.userID == user && read.methods == [.password] && read.browser == "Firefox on Linux")
        #expect(closeEnough(read.expiresAt, first.expiresAt) && read.endedAt == nil)
        #expect(try await store.session(tenantID: other.id, sid: first.sid) == nil)

        try await store.reauthenticateSession(
            tenantID: tenant.id, sid: first.sid, authTime: now.addingTimeInterval(60),
            methods: [.password, .oneTimePassword], expiresAt: now.addingTimeInterval(7_200))
        let renewed = try #require(try await store.session(tenantID: tenant.id, sid: first.sid))
        #expect(renewed.methods == [.password, .oneTimePassword])
        #expect(closeEnough(renewed.authTime, now.addingTimeInterval(60)))

        let active = try await store.activeSessions(tenantID: tenant.id, userID: user, at: now.addingTimeInterval(20))
        #expect(active.map(\.sid) == [second.sid, first.sid], "newest first, the expired one left out")
        #expect(try await store.activeSessions(tenantID: other.id, userID: user, at: now).isEmpty)

        // Another tenant cannot end it; its own tenant ends it exactly once, even when racing.
        #expect(try await store.endSession(tenantID: other.id, sid: first.sid, at: now) == false)
        let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<6 {
                group.addTask { try await store.endSession(tenantID: tenant.id, sid: first.sid, at: now) }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(winners == 1)
        #expect(try await store.session(tenantID: tenant.id, sid: first.sid)?.isActive(at: now) == false)
        #expect(try await store.endSession(tenantID: tenant.id, sid: expired.sid, at: now) == false)
        // An ended session is not renewed by a late sign-in either.
        try await store.reauthenticateSession(
            tenantID: tenant.id, sid: first.sid, authTime: now, methods: [.password],
            expiresAt: now.addingTimeInterval(9_000))
        #expect(try await store.session(tenantID: tenant.id, sid: first.sid)?.endedAt != nil)
        #expect(try await store.activeSessions(tenantID: tenant.id, userID: user, at: now).map(\.sid) == [second.sid])
    }

    @Test(arguments: TestBackend.allCases)
    func theClientsASessionReachedAreRecordedOnceAndPurgedWithIt(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        let other = try await Fixtures.insertedTenant(store)
        let now = Date()
        let record = Self.session(in: tenant, at: now)
        let ended = Self.session(in: tenant, at: now)
        let stale = Self.session(in: tenant, at: now.addingTimeInterval(-7_200))
        for session in [record, ended, stale] { try await store.insertSession(session) }
        for client in ["web", "app", "web"] {
            try await store.recordSessionClient(
                tenantID: tenant.id, sid: record.sid, clientID: client, at: now, expiresAt: now.addingTimeInterval(60))
        }
        try await store.recordSessionClient(
            tenantID: tenant.id, sid: stale.sid, clientID: "web", at: now, expiresAt: now.addingTimeInterval(-1))
        #expect(try await store.sessionClients(tenantID: tenant.id, sid: record.sid) == ["app", "web"])
        #expect(try await store.sessionClients(tenantID: other.id, sid: record.sid).isEmpty)

        #expect(try await store.endSession(tenantID: tenant.id, sid: ended.sid, at: now.addingTimeInterval(-1)))
        // Expired and ended sessions go, with the expired client rows; the live ones stay.
        #expect(try await store.purgeExpired(before: now, batch: 100) >= 3)
        #expect(try await store.session(tenantID: tenant.id, sid: stale.sid) == nil)
        #expect(try await store.session(tenantID: tenant.id, sid: ended.sid) == nil)
        #expect(try await store.session(tenantID: tenant.id, sid: record.sid) != nil)
        #expect(try await store.sessionClients(tenantID: tenant.id, sid: stale.sid).isEmpty)
        #expect(try await store.sessionClients(tenantID: tenant.id, sid: record.sid) == ["app", "web"])
    }

    @Test(arguments: TestBackend.allCases)
    func eachDueDeliveryIsClaimedByOneWorkerUntilItsLeaseRunsOut(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        let other = try await Fixtures.insertedTenant(store)
        let now = Date()
        let due = (0..<10).map { Self.delivery(in: tenant, due: now.addingTimeInterval(-Double($0))) }
        let later = Self.delivery(in: other, due: now.addingTimeInterval(300))
        for delivery in due + [later] { try await store.insertLogoutDelivery(delivery) }
        let read = try #require(try await store.logoutDeliveries(tenantID: tenant.id).first { $0.id == due[0].id })
        #expect(
            read.clientID == "web" && read.uri == due[0].uri && read.sid == "sid-1" && read.subject == due[0].subject
                && read.jti == due[0].jti && read.attempts == 0 && read.lastError == nil)
        #expect(closeEnough(read.nextAttemptAt, due[0].nextAttemptAt) && closeEnough(read.createdAt, due[0].createdAt))

        // Four workers at once: every due row once, the future one not at all.
        let lease = now.addingTimeInterval(60)
        let claimed = try await withThrowingTaskGroup(of: [LogoutDelivery].self) { group in
            for _ in 0..<4 {
                group.addTask { try await store.claimLogoutDeliveries(at: now, leaseUntil: lease, limit: 3) }
            }
            return try await group.reduce(into: [LogoutDelivery]()) { $0 += $1 }
        }
        #expect(claimed.count == Set(claimed.map(\.id)).count, "no row claimed twice")
        #expect(claimed.allSatisfy { $0.attempts == 1 && closeEnough($0.nextAttemptAt, lease) })
        let rest = try await store.claimLogoutDeliveries(at: now, leaseUntil: lease, limit: 20)
        #expect(Set((claimed + rest).map(\.id)) == Set(due.map(\.id)))
        #expect(try await store.claimLogoutDeliveries(at: now, leaseUntil: lease, limit: 20).isEmpty)

        // A failure moves the next attempt; a lease that ran out makes the row due again.
        try await store.rescheduleLogoutDelivery(
            tenantID: tenant.id, id: due[1].id, nextAttemptAt: now.addingTimeInterval(5), error: "answered HTTP 500")
        try await store.rescheduleLogoutDelivery(
            tenantID: other.id, id: due[2].id, nextAttemptAt: now, error: "another tenant's id changes nothing")
        let retried = try await store.claimLogoutDeliveries(
            at: now.addingTimeInterval(6), leaseUntil: now.addingTimeInterval(600), limit: 20)
        #expect(retried.map(\.id) == [due[1].id])
        #expect(retried.first?.attempts == 2 && retried.first?.lastError == "answered HTTP 500")
        let afterLease = try await store.claimLogoutDeliveries(
            at: now.addingTimeInterval(61), leaseUntil: now.addingTimeInterval(600), limit: 20)
        #expect(afterLease.count == 9)

        // Delivered or given up: gone, in its tenant only.
        try await store.deleteLogoutDelivery(tenantID: other.id, id: due[0].id)
        try await store.deleteLogoutDelivery(tenantID: tenant.id, id: due[3].id)
        let left = try await store.logoutDeliveries(tenantID: tenant.id).map(\.id)
        #expect(left.count == 9 && left.contains(due[0].id) && !left.contains(due[3].id))
        #expect(try await store.logoutDeliveries(tenantID: other.id).map(\.id) == [later.id])
    }

    @Test(arguments: TestBackend.allCases)
    func aClientsBackChannelRegistrationAndACodesSessionRoundTrip(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        var client = try Fixtures.client(in: tenant)
        client.backchannelLogout = try BackChannelLogout(uri: "https://app.example.com/bcl?x=1", sessionRequired: true)
        try await store.insertClient(client)
        #expect(
            try await store.client(tenantID: tenant.id, id: client.id)?.backchannelLogout == client.backchannelLogout)
        client.backchannelLogout = nil
        client.version += 1
        try await store.updateClient(client)
        #expect(try await store.client(tenantID: tenant.id, id: client.id)?.backchannelLogout == nil)

        let (value, issued) = GrantStoreConformanceTests.code(in: tenant)
        var code = issued
        code.sessionID = "sid-of-the-sign-in"
        try await store.insertAuthorizationCode(code)
        guard
            case .redeemed(let redeemed) = try await store.redeemAuthorizationCode(
                tenantID: tenant.id, codeHash: SecretHash(of: value), clientID: "web", at: Date())
        else { throw TestSetupError("the code was not redeemed") }
        #expect(redeemed.sessionID == "sid-of-the-sign-in")
    }
}
