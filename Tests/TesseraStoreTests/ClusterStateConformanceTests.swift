import Foundation
import TesseraCore
import TesseraTestSupport
import Testing

@testable import TesseraStore

/// What the shared cluster state must do on every backend (docs/cluster-limits.md): sign-in
/// failures made at the same moment at several instances all count, a block is never shortened,
/// and the heartbeat counts exactly the instances that beat recently.
@Suite("Cluster state conformance")
struct ClusterStateConformanceTests {
    @Test(arguments: TestBackend.allCases)
    func concurrentFailuresAllCountAndQuietCountsAreForgiven(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        let other = try await Fixtures.insertedTenant(store)
        let now = Fixtures.now
        let expiry = now.addingTimeInterval(1_800)
        // Twelve failures racing, as from three instances at once: the count is 12, not fewer.
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    try await store.recordLoginFailure(
                        tenantID: tenant.id, subject: "user:alice", at: now,
                        forgiveBefore: now.addingTimeInterval(-900), expiresAt: expiry)
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(counts.sorted() == Array(1...12))
        // Another tenant's alice, and another subject, start from nothing.
        #expect(
            try await store.recordLoginFailure(
                tenantID: other.id, subject: "user:alice", at: now, forgiveBefore: now, expiresAt: expiry) == 1)
        #expect(
            try await store.recordLoginFailure(
                tenantID: tenant.id, subject: "address:192.0.2.1", at: now, forgiveBefore: now, expiresAt: expiry) == 1)
        // A failure after a quiet spell longer than the forgiveness window starts again at 1.
        let later = now.addingTimeInterval(1_000)
        #expect(
            try await store.recordLoginFailure(
                tenantID: tenant.id, subject: "user:alice", at: later, forgiveBefore: later.addingTimeInterval(-900),
                expiresAt: later.addingTimeInterval(1_800)) == 1)
    }

    @Test(arguments: TestBackend.allCases)
    func aBlockHoldsForItsSubjectsOnlyIsNeverShortenedAndGoesWithSuccessOrExpiry(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        let other = try await Fixtures.insertedTenant(store)
        let now = Fixtures.now
        let expiry = now.addingTimeInterval(1_800)
        for subject in ["user:alice", "address:192.0.2.1"] {
            _ = try await store.recordLoginFailure(
                tenantID: tenant.id, subject: subject, at: now, forgiveBefore: now, expiresAt: expiry)
        }
        #expect(try await store.loginBlockedUntil(tenantID: tenant.id, subjects: ["user:alice"], after: now) == nil)

        try await store.blockLogin(tenantID: tenant.id, subject: "user:alice", until: now.addingTimeInterval(60))
        try await store.blockLogin(tenantID: tenant.id, subject: "address:192.0.2.1", until: now.addingTimeInterval(8))
        // A later, shorter block (a slower instance's older count) does not shorten it.
        try await store.blockLogin(tenantID: tenant.id, subject: "user:alice", until: now.addingTimeInterval(4))
        let both = try await store.loginBlockedUntil(
            tenantID: tenant.id, subjects: ["user:alice", "address:192.0.2.1"], after: now)
        #expect(closeEnough(both, now.addingTimeInterval(60)), "the longest of the subjects' blocks")
        let address = try await store.loginBlockedUntil(
            tenantID: tenant.id, subjects: ["address:192.0.2.1"], after: now)
        #expect(closeEnough(address, now.addingTimeInterval(8)))
        #expect(
            try await store.loginBlockedUntil(
                tenantID: tenant.id, subjects: ["address:192.0.2.1"], after: now.addingTimeInterval(9)) == nil)
        #expect(try await store.loginBlockedUntil(tenantID: other.id, subjects: ["user:alice"], after: now) == nil)
        // A block is set only on a counted subject: another tenant's row does not exist to block.
        try await store.blockLogin(tenantID: other.id, subject: "user:alice", until: now.addingTimeInterval(60))
        #expect(try await store.loginBlockedUntil(tenantID: other.id, subjects: ["user:alice"], after: now) == nil)

        // Another tenant clearing alice changes nothing here; this tenant's clear ends her block.
        try await store.clearLoginFailures(tenantID: other.id, subject: "user:alice")
        #expect(try await store.loginBlockedUntil(tenantID: tenant.id, subjects: ["user:alice"], after: now) != nil)
        try await store.clearLoginFailures(tenantID: tenant.id, subject: "user:alice")
        #expect(try await store.loginBlockedUntil(tenantID: tenant.id, subjects: ["user:alice"], after: now) == nil)

        // Quiet rows are purged with the other short-lived records.
        _ = try await store.purgeExpired(before: expiry.addingTimeInterval(1), batch: 100)
        #expect(
            try await store.recordLoginFailure(
                tenantID: tenant.id, subject: "address:192.0.2.1", at: now, forgiveBefore: now.addingTimeInterval(-900),
                expiresAt: expiry) == 1, "the purged row's count is gone")
    }

    @Test(arguments: TestBackend.allCases)
    func theHeartbeatCountsInstancesThatBeatRecentlyAndForgetsTheLongSilent(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let now = Fixtures.now
        let (a, b, c) = (UUID(), UUID(), UUID())
        func beat(_ id: UUID, at date: Date) async throws -> Int {
            try await store.heartbeat(
                instance: id, startedAt: now, at: date, liveSince: date.addingTimeInterval(-6),
                forgetBefore: date.addingTimeInterval(-3_600))
        }
        #expect(try await beat(a, at: now) == 1)
        #expect(try await beat(b, at: now.addingTimeInterval(1)) == 2)
        #expect(try await beat(c, at: now.addingTimeInterval(2)) == 3)
        // a and c beat again; b is silent for longer than three beats and stops counting.
        #expect(try await beat(a, at: now.addingTimeInterval(6)) == 3)
        #expect(try await beat(c, at: now.addingTimeInterval(8)) == 2)
        #expect(try await beat(a, at: now.addingTimeInterval(8)) == 2)
        // c leaves gracefully: at once one fewer.
        try await store.removeInstance(c)
        #expect(try await beat(a, at: now.addingTimeInterval(9)) == 1)
        // b comes back after a pause: it counts itself even when its own last row was old.
        #expect(try await beat(b, at: now.addingTimeInterval(10)) == 2)
        // An hour of silence forgets a row entirely.
        #expect(try await beat(a, at: now.addingTimeInterval(4_000)) == 1)
        let rows = try await (store as? any SQLExecutor)?.execute("SELECT id FROM instances", []) ?? []
        #expect(rows.count == 1)
    }
}
