import Foundation
import TesseraCore
import TesseraStore
import TesseraTestSupport
import Testing

/// The purge's storage half (docs/bounded-storage.md): the change feed's horizon, audit events
/// by each tenant's cutoff, and batches that never queue behind a request's locks.
@Suite("Bounded storage conformance")
struct BoundedStorageConformanceTests {
    @Test(arguments: TestBackend.allCases)
    func purgingTheChangeFeedMovesItsHorizonPastWhatWent(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        #expect(try await store.changeHorizon() == 0)
        for index in 0..<7 {
            try await store.recordChange(
                Change(
                    tenantID: tenant.id, kind: .client, subject: "c\(index)",
                    changedAt: Fixtures.now.addingTimeInterval(index < 5 ? -3_600 : 0)))
        }
        let all = try await store.changes(after: 0, limit: 100)
        #expect(all.count == 7)

        #expect(try await store.purgeChanges(before: Fixtures.now.addingTimeInterval(-60), batch: 3) == 3)
        #expect(try await store.changeHorizon() == all[2].sequence)
        #expect(try await store.purgeChanges(before: Fixtures.now.addingTimeInterval(-60), batch: 3) == 2)
        #expect(try await store.changeHorizon() == all[4].sequence)
        #expect(try await store.purgeChanges(before: Fixtures.now.addingTimeInterval(-60), batch: 3) == 0)
        #expect(try await store.changeHorizon() == all[4].sequence)
        #expect(try await store.changes(after: 0, limit: 100).map(\.subject) == ["c5", "c6"])

        // A second look at numbers: only those that exist come back, in order.
        let looked = try await store.changes(sequences: [all[6].sequence, all[1].sequence, all[5].sequence, 999_999])
        #expect(looked.map(\.subject) == ["c5", "c6"])
        #expect(try await store.changes(sequences: []).isEmpty)
    }

    @Test(arguments: TestBackend.allCases)
    func auditEventsGoByTheirTenantsCutoffOnly(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let short = try await Fixtures.insertedTenant(store)
        let long = try await Fixtures.insertedTenant(store)
        let unnamed = try await Fixtures.insertedTenant(store)
        for tenant in [short, long, unnamed] {
            for age in [7_200.0, 3_600, 60] {
                try await store.appendAudit(
                    AuditEvent(
                        tenantID: tenant.id, occurredAt: Fixtures.now.addingTimeInterval(-age), actor: "cli",
                        action: .clientCreate, target: "age-\(Int(age))"))
            }
        }
        let cutoffs = [
            short.id: Fixtures.now.addingTimeInterval(-120), long.id: Fixtures.now.addingTimeInterval(-5_000),
        ]
        #expect(try await store.purgeAuditEvents(olderThan: cutoffs, batch: 2) == 2)
        #expect(try await store.purgeAuditEvents(olderThan: cutoffs, batch: 2) == 1)
        #expect(try await store.purgeAuditEvents(olderThan: cutoffs, batch: 2) == 0)
        #expect(try await store.purgeAuditEvents(olderThan: [:], batch: 2) == 0)
        #expect(try await store.auditEvents(tenantID: short.id, after: nil, limit: 10).map(\.target) == ["age-60"])
        #expect(
            try await store.auditEvents(tenantID: long.id, after: nil, limit: 10).map(\.target).sorted() == [
                "age-3600", "age-60",
            ])
        #expect(try await store.auditEvents(tenantID: unnamed.id, after: nil, limit: 10).count == 3)
    }

    @Test(arguments: TestBackend.allCases)
    func endedSessionsArePurgedAndLiveOnesStay(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        let user = Fixtures.user(in: tenant)
        try await store.insertUser(user)
        for sid in ["ended", "live"] {
            try await store.insertSession(
                SessionRecord(
                    tenantID: tenant.id, sid: sid, userID: user.id, createdAt: Fixtures.now.addingTimeInterval(-600),
                    authTime: Fixtures.now.addingTimeInterval(-600), expiresAt: Fixtures.now.addingTimeInterval(3_600),
                    methods: [.password], browser: "test"))
        }
        for sid in ["ended", "live"] {
            try await store.recordSessionClient(
                tenantID: tenant.id, sid: sid, clientID: "web", at: Fixtures.now.addingTimeInterval(-600),
                expiresAt: Fixtures.now.addingTimeInterval(30 * 86_400))
        }
        #expect(try await store.endSession(tenantID: tenant.id, sid: "ended", at: Fixtures.now.addingTimeInterval(-60)))
        #expect(try await store.purgeExpired(.endedSessions, before: Fixtures.now, batch: 10) == 2)  // the session and its client
        #expect(try await store.purgeExpired(.sessions, before: Fixtures.now, batch: 10) == 0)
        #expect(try await store.session(tenantID: tenant.id, sid: "live") != nil)
        #expect(try await store.session(tenantID: tenant.id, sid: "ended") == nil)
        // Its clients went with it; the live session's stay.
        #expect(try await store.sessionClients(tenantID: tenant.id, sid: "ended").isEmpty)
        #expect(try await store.sessionClients(tenantID: tenant.id, sid: "live") == ["web"])
    }

    /// A batch skips rows a request holds (`FOR UPDATE SKIP LOCKED`) instead of queueing behind
    /// it; the next batch takes them.
    @Test func aBatchSkipsRowsARequestHoldsInsteadOfWaiting() async throws {
        let url = try await TestDatabases.freshURL(.postgres)
        let holder = try await DatabaseURL(url).open(logger: TestDatabases.logger)
        _ = try await holder.migrate()
        let purger = try await DatabaseURL(url).open(logger: TestDatabases.logger)
        defer {
            Task {
                await holder.close()
                await purger.close()
            }
        }
        let tenant = try await Fixtures.insertedTenant(holder)
        let past = Fixtures.now.addingTimeInterval(-60)
        for jti in ["held", "free"] {
            try await holder.insertRevokedToken(
                RevokedToken(tenantID: tenant.id, jti: jti, expiresAt: past, revokedAt: past))
        }
        let (locked, lockedSignal) = AsyncStream.makeStream(of: Void.self)
        let (release, releaseSignal) = AsyncStream.makeStream(of: Void.self)
        // A transaction that deleted one of the rows and has not committed holds that row's lock,
        // as a request's write would.
        let holding = Task {
            try await holder.transaction { operations in
                let removed = try await operations.purgeExpired(.revokedTokens, before: Fixtures.now, batch: 1)
                lockedSignal.yield()
                for await _ in release { break }
                return removed
            }
        }
        for await _ in locked { break }
        let started = ContinuousClock.now
        // A purge that waited for the lock would wait for ever: the holder is released after 5 s
        // regardless, and the wait then shows.
        let deadline = Task {
            try await Task.sleep(for: .seconds(5))
            releaseSignal.yield()
        }
        let removed = try await purger.purgeExpired(.revokedTokens, before: Fixtures.now, batch: 10)
        let waited = ContinuousClock.now - started
        deadline.cancel()
        releaseSignal.yield()
        releaseSignal.finish()
        #expect(removed == 1)
        #expect(waited < .seconds(5))
        #expect(try await holding.value == 1)
        #expect(try await purger.purgeExpired(.revokedTokens, before: Fixtures.now, batch: 10) == 0)
    }
}
