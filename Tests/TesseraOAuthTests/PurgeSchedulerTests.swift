import Foundation
import TesseraCore
import TesseraStore
import TesseraTestSupport
import Testing

@testable import TesseraOAuth

/// One purge pass on a real database (docs/bounded-storage.md): a backlog larger than a batch
/// goes in batches, live rows stay, audit events go by their own tenant's retention, and the
/// change feed keeps its history with the horizon past what went.
@Suite("Purge scheduler")
struct PurgeSchedulerTests {
    @Test(arguments: TestBackend.allCases)
    func aPassEmptiesEveryBacklogAndKeepsWhatLives(backend: TestBackend) async throws {
        try await ProtocolFixture.withRuntime(backend) { runtime in
            let store = runtime.store
            let now = Date()
            let brief = try await runtime.administration.updateSettings(
                of: try await ProtocolFixture.acme(runtime), [.auditRetention: 600], actor: "test")
            let lasting = try await runtime.administration.createTenant(slug: "globex", name: "Globex", actor: "test")
            let past = now.addingTimeInterval(-60)
            let backlog = PurgeScheduler.batch * 2 + 500
            for index in 0..<backlog {
                try await store.insertRevokedToken(
                    RevokedToken(tenantID: brief.id, jti: "old-\(index)", expiresAt: past, revokedAt: past))
            }
            try await store.insertRevokedToken(
                RevokedToken(tenantID: brief.id, jti: "live", expiresAt: now.addingTimeInterval(600), revokedAt: past))
            for tenant in [brief, lasting] {
                try await store.appendAudit(
                    AuditEvent(
                        tenantID: tenant.id, occurredAt: now.addingTimeInterval(-7_200), actor: "test",
                        action: .clientCreate, target: "old"))
            }
            try await store.recordChange(
                Change(tenantID: brief.id, kind: .client, subject: "old", changedAt: now.addingTimeInterval(-7_200)))
            let newest = try await store.latestChangeSequence()

            let purge = PurgeScheduler(
                store: store, interval: .seconds(60), changeHistory: .seconds(3_600), logger: TestDatabases.logger)
            let removed = try #require(try await purge.purgeOnce(now: now))
            #expect(removed["revoked_tokens"] == backlog)
            #expect(removed["audit_events"] == 1)
            #expect(removed["changes", default: 0] >= 1)
            #expect(try await store.revokedTokens(expiringAfter: .distantPast).map(\.jti) == ["live"])
            // The brief tenant's old event went; its recent ones (the settings change) and the
            // other tenant's, within a year, stay.
            let briefEvents = try await store.auditEvents(tenantID: brief.id, after: nil, limit: 100)
            #expect(!briefEvents.contains { $0.target == "old" })
            #expect(!briefEvents.isEmpty)
            #expect(
                try await store.auditEvents(tenantID: lasting.id, after: nil, limit: 100).contains {
                    $0.target == "old"
                })
            #expect(try await store.changeHorizon() >= 1)
            #expect(try await store.changeHorizon() <= newest)
            #expect(try await store.changes(after: 0, limit: 100).allSatisfy { $0.subject != "old" })

            let again = try #require(try await purge.purgeOnce(now: now))
            #expect(again.values.allSatisfy { $0 == 0 })
        }
    }
}
