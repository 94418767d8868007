import Foundation
import TesseraCore
import Testing

@testable import TesseraJOSE

/// Which keys verify: `current` and `previous`, never `next`, `retired` or `revoked`.
@Suite struct KeyStateVerificationTests {
    let tenant: (tenantID: UUID, records: [SigningKeyRecord], masterKey: MasterKey)

    init() throws {
        tenant = try Fixture.tenant(.es256)
    }

    func keys(_ records: [SigningKeyRecord]) async throws -> TenantKeys {
        try await TenantKeys(tenantID: tenant.tenantID, records: records, masterKey: tenant.masterKey)
    }

    func signer(_ record: SigningKeyRecord) async throws -> LoadedKey {
        try await LoadedKey(record: record, masterKey: tenant.masterKey)
    }

    @Test func nextKeyIsPublishedButDoesNotVerify() async throws {
        let keys = try await keys(tenant.records)
        let next = try SigningKeyRecord.inState(.next, of: tenant.records)
        // A token signed with the next key (which cannot legitimately exist yet).
        let token = try await signer(next).sign(Fixture.claims(), type: "at+jwt")
        #expect(throws: TokenRejection.unknownKey) { try keys.verifyAccessToken(token) }
        #expect(keys.jwks.json.contains(next.kid))
        #expect(!keys.verifyingKids.contains(next.kid))
    }

    @Test func tokenSignedBeforeRotationStillVerifiesAfterIt() async throws {
        let before = try await keys(tenant.records)
        let token = try before.sign(Fixture.claims(), type: "at+jwt")

        let plan = try KeyLifecycle.rotate(
            records: tenant.records, tenantID: tenant.tenantID, algorithm: .es256, now: Fixture.now,
            longestTokenLifetime: 660, masterKey: tenant.masterKey)
        let after = try await keys(KeyLifecycle.apply(plan, to: tenant.records))

        #expect(after.current?.kid != before.current?.kid)
        #expect(try after.verifyAccessToken(token).sub == "user-1")
        // And the new current key signs tokens that verify too.
        #expect(throws: Never.self) { try after.verifyAccessToken(try after.sign(Fixture.claims(), type: "at+jwt")) }
    }

    @Test func previousKeyVerifiesWithoutHoldingItsPrivatePart() async throws {
        let plan = try KeyLifecycle.rotate(
            records: tenant.records, tenantID: tenant.tenantID, algorithm: .es256, now: Fixture.now,
            longestTokenLifetime: 660, masterKey: tenant.masterKey)
        let rotated = KeyLifecycle.apply(plan, to: tenant.records)
        let previous = try SigningKeyRecord.inState(.previous, of: rotated)
        #expect(previous.sealedPrivateKey != nil)
        let keys = try await keys(rotated)
        let loaded = try #require(keys.verifiedKey(previous.kid))
        #expect(!loaded.canSign)
    }

    @Test func tokenOfARetiredKeyNoLongerVerifies() async throws {
        let before = try await keys(tenant.records)
        let token = try before.sign(Fixture.claims(), type: "at+jwt")
        let rotated = KeyLifecycle.apply(
            try KeyLifecycle.rotate(
                records: tenant.records, tenantID: tenant.tenantID, algorithm: .es256, now: Fixture.now,
                longestTokenLifetime: 660, masterKey: tenant.masterKey), to: tenant.records)
        let later = Fixture.now.addingTimeInterval(661)
        let retired = KeyLifecycle.apply(KeyLifecycle.retirements(records: rotated, now: later), to: rotated)
        let keys = try await keys(retired)
        #expect(throws: TokenRejection.unknownKey) { try keys.verifyAccessToken(token, now: Fixture.now) }
    }

    @Test func revokedKeyNoLongerVerifiesItsTokens() async throws {
        let before = try await keys(tenant.records)
        let token = try before.sign(Fixture.claims(), type: "at+jwt")
        let currentKid = try #require(before.current?.kid)
        let plan = try KeyLifecycle.revoke(
            kid: currentKid, records: tenant.records, tenantID: tenant.tenantID, algorithm: .es256, now: Fixture.now,
            masterKey: tenant.masterKey)
        let after = try await keys(KeyLifecycle.apply(plan, to: tenant.records))
        #expect(throws: TokenRejection.unknownKey) { try after.verifyAccessToken(token) }
        #expect(!after.jwks.json.contains(currentKid))
        // The tenant still signs, with the promoted next key.
        #expect(throws: Never.self) { try after.verifyAccessToken(try after.sign(Fixture.claims(), type: "at+jwt")) }
    }

    @Test func revokedPreviousKeyNoLongerVerifies() async throws {
        let before = try await keys(tenant.records)
        let token = try before.sign(Fixture.claims(), type: "at+jwt")
        let oldKid = try #require(before.current?.kid)
        let rotated = KeyLifecycle.apply(
            try KeyLifecycle.rotate(
                records: tenant.records, tenantID: tenant.tenantID, algorithm: .es256, now: Fixture.now,
                longestTokenLifetime: 660, masterKey: tenant.masterKey), to: tenant.records)
        let rotatedKeys = try await keys(rotated)
        #expect(throws: Never.self) { try rotatedKeys.verifyAccessToken(token) }
        let revoked = KeyLifecycle.apply(
            try KeyLifecycle.revoke(
                kid: oldKid, records: rotated, tenantID: tenant.tenantID, algorithm: .es256, now: Fixture.now,
                masterKey: tenant.masterKey), to: rotated)
        let revokedKeys = try await keys(revoked)
        #expect(throws: TokenRejection.unknownKey) { try revokedKeys.verifyAccessToken(token) }
    }

    @Test func twoCurrentKeysAreRefused() async throws {
        var records = tenant.records
        let nextIndex = try #require(records.firstIndex { $0.state == .next })
        records[nextIndex].state = .current
        await #expect {
            try await keys(records)
        } throws: { error in
            guard case KeyError.inconsistentKeySet = error else { return false }
            return true
        }
    }

    @Test func recordOfAnotherTenantIsRefused() async throws {
        let other = try Fixture.tenant(.es256)
        await #expect {
            try await keys(tenant.records + [other.records[1]])
        } throws: { error in
            guard case KeyError.wrongTenant = error else { return false }
            return true
        }
    }

    @Test func currentKeyWithoutPrivatePartIsRefused() async throws {
        var records = tenant.records
        let currentIndex = try #require(records.firstIndex { $0.state == .current })
        records[currentIndex].sealedPrivateKey = nil
        await #expect(throws: KeyError.missingPrivateKey(kid: records[currentIndex].kid)) {
            try await keys(records)
        }
    }
}
