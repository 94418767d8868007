import Foundation
import TesseraCore
import Testing

@testable import TesseraJOSE

@Suite struct KeyRingTests {
    @Test func installedTenantSignsAndVerifiesWithTheValueTheRingHandsOut() async throws {
        let tenant = try Fixture.tenant(.edDSA)
        let ring = KeyRing(masterKey: tenant.masterKey)
        try await ring.install(tenantID: tenant.tenantID, records: tenant.records)
        let keys = try #require(await ring.keys(for: tenant.tenantID))
        let token = try keys.sign(Fixture.claims(), type: "at+jwt")
        #expect(try keys.verifyAccessToken(token).sub == "user-1")
        #expect(await ring.jwks(for: tenant.tenantID) == keys.jwks)
        #expect(await ring.tenantIDs == [tenant.tenantID])
    }

    @Test func unknownTenantHasNoKeys() async {
        let ring = KeyRing(masterKey: MasterKey.generate())
        #expect(await ring.keys(for: UUID()) == nil)
        #expect(await ring.jwks(for: UUID()) == nil)
    }

    @Test func installReplacesTheTenantsKeysAndJWKS() async throws {
        let tenant = try Fixture.tenant(.es256)
        let ring = KeyRing(masterKey: tenant.masterKey)
        try await ring.install(tenantID: tenant.tenantID, records: tenant.records)
        let before = try #require(await ring.keys(for: tenant.tenantID))

        let rotated = KeyLifecycle.apply(
            try KeyLifecycle.rotate(
                records: tenant.records, tenantID: tenant.tenantID, algorithm: .es256, now: Fixture.now,
                longestTokenLifetime: 660, masterKey: tenant.masterKey), to: tenant.records)
        try await ring.install(tenantID: tenant.tenantID, records: rotated)
        let after = try #require(await ring.keys(for: tenant.tenantID))

        #expect(after.current?.kid != before.current?.kid)
        #expect(after.current?.kid == before.next?.kid)
        #expect(after.jwks.etag != before.jwks.etag)
    }

    @Test func failedInstallKeepsTheTenantsPreviousKeys() async throws {
        let tenant = try Fixture.tenant(.es256)
        let ring = KeyRing(masterKey: tenant.masterKey)
        try await ring.install(tenantID: tenant.tenantID, records: tenant.records)
        let other = try Fixture.tenant(.es256)  // sealed under another master key
        await #expect(throws: KeyError.self) {
            try await ring.install(tenantID: other.tenantID, records: other.records)
        }
        #expect(await ring.keys(for: other.tenantID) == nil)
        var damaged = tenant.records
        damaged[0].sealedPrivateKey = [1, 2, 3]
        await #expect(throws: KeyError.cannotDecrypt(kid: damaged[0].kid)) {
            try await ring.install(tenantID: tenant.tenantID, records: damaged)
        }
        #expect(await ring.keys(for: tenant.tenantID)?.current?.kid == tenant.records[0].kid)
    }

    @Test func removedTenantsTokensStopVerifyingHere() async throws {
        let tenant = try Fixture.tenant(.es256)
        let ring = KeyRing(masterKey: tenant.masterKey)
        try await ring.install(tenantID: tenant.tenantID, records: tenant.records)
        await ring.remove(tenantID: tenant.tenantID)
        #expect(await ring.keys(for: tenant.tenantID) == nil)
    }

    @Test func tenantsAreKeptApart() async throws {
        let master = MasterKey.generate()
        let acme = try Fixture.tenant(.es256, masterKey: master)
        let globex = try Fixture.tenant(.es256, masterKey: master)
        let ring = KeyRing(masterKey: master)
        try await ring.install(tenantID: acme.tenantID, records: acme.records)
        try await ring.install(tenantID: globex.tenantID, records: globex.records)
        let acmeKeys = try #require(await ring.keys(for: acme.tenantID))
        let globexKeys = try #require(await ring.keys(for: globex.tenantID))
        let token = try acmeKeys.sign(Fixture.claims(), type: "at+jwt")
        #expect(throws: TokenRejection.unknownKey) { try globexKeys.verifyAccessToken(token) }
        // Installing acme's records under globex's id is refused.
        await #expect {
            try await ring.install(tenantID: globex.tenantID, records: acme.records)
        } throws: { error in
            guard case KeyError.wrongTenant = error else { return false }
            return true
        }
    }
}
