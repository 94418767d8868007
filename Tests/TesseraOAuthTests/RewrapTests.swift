import Foundation
import TesseraCore
import TesseraJOSE
import TesseraStore
import TesseraTestSupport
import Testing

@testable import TesseraOAuth

/// The online rewrap (docs/master-key-change.md) on both backends: what opens only with an
/// accepted master key is sealed again under the sealing one, a second run finds nothing, and a
/// secret no key of the set opens is a clear error.
@Suite("Online rewrap")
struct RewrapTests {
    /// acme, and alice in it with a TOTP secret sealed with `key`.
    static func aliceWithTOTP(_ runtime: ProtocolRuntime, sealedWith key: MasterKey) async throws -> (Tenant, User) {
        let tenant = try await ProtocolFixture.acme(runtime)
        let user = try await runtime.administration.createUser(
            in: tenant, username: "alice", password: "correct horse battery", actor: "test")
        _ = try await SecondFactors(store: runtime.store, masterKey: key).enrolTOTP(
            for: user, in: tenant, issuerName: "Acme", confirmed: true)
        return (tenant, user)
    }

    @Test(arguments: TestBackend.allCases)
    func everySealedSecretMovesToTheSealingKeyOnceAndOnlyOnce(backend: TestBackend) async throws {
        let old = MasterKey.generate()
        let new = MasterKey.generate()
        try await ProtocolFixture.withRuntime(backend, masterKey: old) { runtime in
            let (tenant, user) = try await Self.aliceWithTOTP(runtime, sealedWith: old)
            // Every tenant's, the system tenant's too.
            let keysBefore = try await runtime.store.signingKeys(inStates: KeyState.allCases)
            let sealedKeys = keysBefore.filter { $0.sealedPrivateKey != nil }.count
            #expect(sealedKeys >= 4)

            let changing = KeyManagement(store: runtime.store, masterKey: new.accepting([old]))
            let report = try await changing.rewrap(actor: "test")
            #expect(report.signingKeys == sealedKeys)
            #expect(report.totpSecrets == 1)
            #expect(report.tenants >= 1)
            // Every key now opens with the new key alone, and no longer with the old one.
            let loaded = try await TenantKeys.load(tenant, from: runtime.store, masterKey: new)
            #expect(loaded.current != nil)
            for record in try await runtime.store.signingKeys(tenantID: tenant.id) {
                guard let sealed = record.sealedPrivateKey else { continue }
                #expect(throws: KeyError.self) { try old.open(sealed, tenantID: tenant.id, kid: record.kid) }
            }
            let factor = try #require(try await runtime.store.totp(tenantID: tenant.id, userID: user.id))
            #expect(
                SecondFactors(store: runtime.store, masterKey: new)
                    .opensWithSealingKey(factor.sealedSecret, tenantID: tenant.id, userID: user.id))
            // The change is audited and fed to every instance.
            let audit = try await runtime.store.auditEvents(tenantID: tenant.id, after: nil, limit: 100)
            #expect(audit.contains { $0.action == .keyRewrap && $0.actor == "test" })

            // Idempotent: a second run moves nothing.
            #expect(try await changing.rewrap(actor: "test") == RewrapReport())
            // A set without the key that sealed a secret cannot move it, and says what it is.
            let stranger = try await runtime.administration.createTenant(slug: "globex", name: "Globex", actor: "test")
            let lost = KeyManagement(store: runtime.store, masterKey: MasterKey.generate().accepting([new]))
            await #expect {
                try await lost.rewrap(actor: "test")
            } throws: { error in
                "\(error)".contains("tenant '\(stranger.slug.rawValue)'") || "\(error)".contains("tenant 'acme'")
            }
        }
    }

    /// The offline form (`--new-master-key-file`) moves the TOTP secrets too: left under the old
    /// key, they would lock their users out once Tessera starts with the new one.
    @Test(arguments: TestBackend.allCases)
    func theOfflineFormMovesTOTPSecretsWithTheSigningKeys(backend: TestBackend) async throws {
        let old = MasterKey.generate()
        let new = MasterKey.generate()
        try await ProtocolFixture.withRuntime(backend, masterKey: old) { runtime in
            let (tenant, user) = try await Self.aliceWithTOTP(runtime, sealedWith: old)

            let report = try await runtime.keyManagement.rewrap(to: new, actor: "test")
            #expect(report.totpSecrets == 1)
            #expect(report.signingKeys >= 4)
            let factor = try #require(try await runtime.store.totp(tenantID: tenant.id, userID: user.id))
            #expect(
                SecondFactors(store: runtime.store, masterKey: new)
                    .opensWithSealingKey(factor.sealedSecret, tenantID: tenant.id, userID: user.id))
            #expect(throws: (any Error).self) {
                try SecondFactors(store: runtime.store, masterKey: old)
                    .open(factor.sealedSecret, tenantID: tenant.id, userID: user.id)
            }
            // Run again, as after an interruption: nothing is left to move.
            #expect(try await runtime.keyManagement.rewrap(to: new, actor: "test") == RewrapReport())
        }
    }
}
