import Foundation
import TesseraCore
import TesseraTestSupport
import Testing

@testable import TesseraStore

/// What the passkey records must do on every backend: a credential id once per tenant, the
/// counter only forward (one winner when two uses race), challenges answered once.
@Suite("Passkey store conformance")
struct PasskeyStoreConformanceTests {
    static func passkey(_ tenant: Tenant, user: UUID, id: [UInt8], count: Int64 = 0) -> Passkey {
        Passkey(
            tenantID: tenant.id, userID: user, credentialID: id, publicKey: [0xA5, 1, 2], algorithm: -7,
            signCount: count, backupEligible: true, backedUp: false, transports: ["internal", "hybrid"],
            aaguid: Array(repeating: 0, count: 16), name: "Laptop", createdAt: Fixtures.now)
    }

    @Test(arguments: TestBackend.allCases)
    func aCredentialIsStoredOncePerTenantListedAndRemovedByItsUserOnly(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        let other = try await Fixtures.insertedTenant(store)
        let alice = UUID()
        let bob = UUID()
        let first = Self.passkey(tenant, user: alice, id: [1, 2, 3])
        try await store.insertPasskey(first)
        try await store.insertPasskey(Self.passkey(tenant, user: alice, id: [4]))
        // The same id in another tenant is another credential; in this one, a conflict.
        try await store.insertPasskey(Self.passkey(other, user: bob, id: [1, 2, 3]))
        await #expect(throws: StoreError.self) {
            try await store.insertPasskey(Self.passkey(tenant, user: bob, id: [1, 2, 3]))
        }
        #expect(try await store.passkey(tenantID: tenant.id, credentialID: [1, 2, 3]) == first)
        #expect(try await store.passkeys(tenantID: tenant.id, userID: alice).map(\.credentialID) == [[1, 2, 3], [4]])
        #expect(try await store.passkeys(tenantID: tenant.id, userID: bob).isEmpty)
        #expect(try await store.deletePasskey(tenantID: tenant.id, userID: bob, credentialID: [1, 2, 3]) == false)
        #expect(try await store.deletePasskey(tenantID: tenant.id, userID: alice, credentialID: [1, 2, 3]))
        #expect(try await store.passkey(tenantID: tenant.id, credentialID: [1, 2, 3]) == nil)
        #expect(try await store.passkey(tenantID: other.id, credentialID: [1, 2, 3]) != nil)
    }

    @Test(arguments: TestBackend.allCases)
    func theCounterMovesOnlyForwardWithOneWinnerPerValue(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        try await store.insertPasskey(Self.passkey(tenant, user: UUID(), id: [9], count: 5))
        let later = Fixtures.now.addingTimeInterval(60)
        func use(_ count: Int64) async throws -> Bool {
            try await store.recordPasskeyUse(
                tenantID: tenant.id, credentialID: [9], signCount: count, backedUp: true, at: later)
        }
        #expect(try await use(5) == false, "the same counter again: a clone")
        #expect(try await use(4) == false, "a counter going back")
        let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 { group.addTask { try await use(6) } }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(winners == 1)
        let read = try #require(try await store.passkey(tenantID: tenant.id, credentialID: [9]))
        #expect(read.signCount == 6 && read.backedUp && read.lastUsedAt == later)
        // An authenticator that keeps no counter reports 0 every time, and is let through.
        try await store.insertPasskey(Self.passkey(tenant, user: UUID(), id: [10], count: 0))
        for _ in 0..<2 {
            #expect(
                try await store.recordPasskeyUse(
                    tenantID: tenant.id, credentialID: [10], signCount: 0, backedUp: false, at: later))
        }
        #expect(
            try await store.recordPasskeyUse(
                tenantID: tenant.id, credentialID: [11], signCount: 1, backedUp: false, at: later) == false)
    }

    @Test(arguments: TestBackend.allCases)
    func aChallengeIsAnsweredOnceAndPurgedWhenItExpires(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        let expiry = Fixtures.now.addingTimeInterval(300)
        try await store.recordWebAuthnChallenge(tenantID: tenant.id, ceremony: "get", id: "c1", expiresAt: expiry)
        await #expect(throws: StoreError.self) {
            try await store.recordWebAuthnChallenge(tenantID: tenant.id, ceremony: "get", id: "c1", expiresAt: expiry)
        }
        // Another ceremony's id space.
        try await store.recordWebAuthnChallenge(tenantID: tenant.id, ceremony: "create", id: "c1", expiresAt: expiry)
        #expect(try await store.purgeExpired(before: expiry.addingTimeInterval(1), batch: 100) >= 2)
        try await store.recordWebAuthnChallenge(tenantID: tenant.id, ceremony: "get", id: "c1", expiresAt: expiry)
    }
}
