import Foundation
import TesseraCore
import TesseraJOSE
import TesseraOAuth
import TesseraStore
import TesseraTestSupport
import Testing

/// The key lifecycle applied to a real database through `KeyManagement` (DESIGN.md, Signing keys
/// and rotation), on both backends. Keys are reloaded from the store after every change, as a
/// freshly started instance would see them.
@Suite("Key management on a database")
struct KeyManagementTests {
    // MARK: Rotation

    @Test(arguments: TestBackend.allCases)
    func aTokenSignedBeforeARotationStillVerifiesAfterIt(backend: TestBackend) async throws {
        try await ProtocolFixture.withRuntime(backend) { runtime in
            let tenant = try await ProtocolFixture.acme(runtime)
            let before = try await TenantKeys.load(tenant, from: runtime.store, masterKey: runtime.masterKey)
            let claims = AccessClaims.fresh()
            let token = try before.sign(claims, type: "at+jwt")

            try await runtime.keyManagement.rotate(tenant, actor: "test")

            let after = try await TenantKeys.load(tenant, from: runtime.store, masterKey: runtime.masterKey)
            #expect(try after.verifyAccessToken(token) == claims)
            #expect(after.current?.kid != before.current?.kid)
            #expect(try Inspect.jwksKids(after.jwks.json).contains(try Inspect.kid(of: token)))
            // And what the new key signs verifies too.
            #expect(try after.verifyAccessToken(try after.sign(claims, type: "at+jwt")) == claims)
        }
    }

    @Test(arguments: TestBackend.allCases)
    func theKeyThatSignsAfterARotationWasPublishedBeforeIt(backend: TestBackend) async throws {
        try await ProtocolFixture.withRuntime(backend) { runtime in
            let tenant = try await ProtocolFixture.acme(runtime)
            let before = try await TenantKeys.load(tenant, from: runtime.store, masterKey: runtime.masterKey)
            let publishedBefore = Set(try Inspect.jwksKids(before.jwks.json))

            let records = try await runtime.keyManagement.rotate(tenant, actor: "test")

            let after = try await TenantKeys.load(tenant, from: runtime.store, masterKey: runtime.masterKey)
            let signer = try Inspect.kid(of: try after.sign(AccessClaims.fresh(), type: "at+jwt"))
            #expect(publishedBefore.contains(signer), "kid \(signer) signs but was not in the JWKS before the rotation")
            #expect(signer == before.next?.kid)
            #expect(try signer == records.only(.current).kid)
            // The rotation publishes the key after that at once, before it signs anything.
            let newNext = try records.only(.next).kid
            #expect(!publishedBefore.contains(newNext))
            #expect(try Inspect.jwksKids(after.jwks.json).contains(newNext))
            #expect(!after.verifyingKids.contains(newNext))
        }
    }

    @Test(arguments: TestBackend.allCases)
    func aRotationLeavesOneCurrentOneNextAndTheOldKeyPrevious(backend: TestBackend) async throws {
        try await ProtocolFixture.withRuntime(backend) { runtime in
            let tenant = try await ProtocolFixture.acme(runtime)
            let initial = try await runtime.store.signingKeys(tenantID: tenant.id)
            let records = try await runtime.keyManagement.rotate(tenant, actor: "test")
            let previous = try records.only(.previous)
            #expect(try previous.kid == initial.only(.current).kid)
            #expect(previous.sealedPrivateKey != nil)
            let retireAfter = try #require(previous.retireAfter)
            let lifetime = RotationPolicy(settings: tenant.settings).longestTokenLifetime
            #expect(abs(retireAfter.timeIntervalSince(try #require(previous.deactivatedAt)) - Double(lifetime)) < 0.01)
            #expect(records.count == 3)
            _ = try records.only(.current)
            _ = try records.only(.next)
        }
    }

    // MARK: Revocation

    @Test(arguments: TestBackend.allCases, [KeyState.current, .previous])
    func aRevokedKeyStopsVerifyingAndLeavesTheJWKS(backend: TestBackend, stateWhenRevoked: KeyState) async throws {
        try await ProtocolFixture.withRuntime(backend) { runtime in
            let tenant = try await ProtocolFixture.acme(runtime)
            let keys = try await TenantKeys.load(tenant, from: runtime.store, masterKey: runtime.masterKey)
            let token = try keys.sign(AccessClaims.fresh(), type: "at+jwt")
            let kid = try Inspect.kid(of: token)
            if stateWhenRevoked == .previous {
                try await runtime.keyManagement.rotate(tenant, actor: "test")
                let rotated = try await TenantKeys.load(tenant, from: runtime.store, masterKey: runtime.masterKey)
                #expect(throws: Never.self) { try rotated.verifyAccessToken(token) }
            }
            let state = try await runtime.store.signingKeys(tenantID: tenant.id).first { $0.kid == kid }?.state
            #expect(state == stateWhenRevoked)

            try await runtime.keyManagement.revoke(tenant, kid: kid, actor: "test")

            let records = try await runtime.store.signingKeys(tenantID: tenant.id)
            let revoked = try #require(records.first { $0.kid == kid })
            #expect(revoked.state == .revoked)
            #expect(revoked.sealedPrivateKey == nil)
            let after = try await TenantKeys.load(tenant, from: runtime.store, masterKey: runtime.masterKey)
            #expect(throws: TokenRejection.unknownKey) { try after.verifyAccessToken(token) }
            #expect(!(try Inspect.jwksKids(after.jwks.json).contains(kid)))
            // The tenant keeps signing, with a key that was published already.
            let signer = try Inspect.kid(of: try after.sign(AccessClaims.fresh(), type: "at+jwt"))
            #expect(signer != kid)
            #expect(try Inspect.jwksKids(after.jwks.json).contains(signer))
            _ = try records.only(.current)
            _ = try records.only(.next)
        }
    }

    @Test(arguments: TestBackend.allCases)
    func revokingAnUnknownKidIsRefusedAndChangesNothing(backend: TestBackend) async throws {
        try await ProtocolFixture.withRuntime(backend) { runtime in
            let tenant = try await ProtocolFixture.acme(runtime)
            let before = try await runtime.store.signingKeys(tenantID: tenant.id)
            await #expect(throws: ValidationError.self) {
                try await runtime.keyManagement.revoke(tenant, kid: "no-such-kid", actor: "test")
            }
            // Nor can one tenant revoke another's key.
            let system = try #require(try await runtime.store.tenant(slug: .system))
            let systemKid = try await runtime.store.signingKeys(tenantID: system.id).only(.current).kid
            await #expect(throws: ValidationError.self) {
                try await runtime.keyManagement.revoke(tenant, kid: systemKid, actor: "test")
            }
            #expect(try await runtime.store.signingKeys(tenantID: tenant.id) == before)
            #expect(try await runtime.store.signingKeys(tenantID: system.id).only(.current).kid == systemKid)
        }
    }

    // MARK: Private keys at rest

    @Test(arguments: TestBackend.allCases)
    func noStoredRowHoldsAPrivateKeyInTheClear(backend: TestBackend) async throws {
        try await ProtocolFixture.withRuntime(backend) { runtime in
            let tenant = try await ProtocolFixture.acme(runtime)
            try await runtime.keyManagement.rotate(tenant, actor: "test")
            let records = try await runtime.store.signingKeys(inStates: KeyState.allCases)
            #expect(records.count == 5)  // system: current, next; acme: current, next, previous
            for record in records {
                let sealed = try #require(record.sealedPrivateKey, "kid \(record.kid)")
                let privateKey = try runtime.masterKey.open(sealed, tenantID: record.tenantID, kid: record.kid)
                #expect(privateKey.count >= 32)
                #expect(!Inspect.contains(sealed, privateKey), "kid \(record.kid): sealed part holds the raw key")
                let jwk = try #require(
                    try JSONSerialization.jsonObject(with: Data(record.publicJWK.utf8)) as? [String: Any])
                for member in privateJWKMembers {
                    #expect(jwk[member] == nil, "kid \(record.kid): public JWK carries \(member)")
                }
                #expect(!record.publicJWK.contains(Base64URL.encode(privateKey)))
            }
        }
    }

    @Test func theSQLiteFileHoldsNoPrivateKeyInTheClear() async throws {
        let url = try await TestDatabases.freshURL(.sqlite)
        let folder = URL(fileURLWithPath: String(url.dropFirst("sqlite://".count))).deletingLastPathComponent()
        let masterKey = MasterKey.generate()
        let records = try await ProtocolFixture.withRuntime(url: url, masterKey: masterKey) { runtime in
            let tenant = try await ProtocolFixture.acme(runtime)
            try await runtime.keyManagement.rotate(tenant, actor: "test")
            let records = try await runtime.store.signingKeys(inStates: KeyState.allCases)
            // While open (pages may sit in the WAL) ...
            try Self.expectNoPrivateKey(of: records, in: try Self.bytes(of: folder), masterKey: masterKey)
            return records
        }
        // ... and after close, checkpointed into the main file.
        try Self.expectNoPrivateKey(of: records, in: try Self.bytes(of: folder), masterKey: masterKey)
    }

    @Test(.enabled(if: KeyManagementTests.pgDump != nil, "needs pg_dump"))
    func aPostgreSQLDumpHoldsNoPrivateKeyInTheClear() async throws {
        let url = try await TestDatabases.freshURL(.postgres)
        let masterKey = MasterKey.generate()
        let records = try await ProtocolFixture.withRuntime(url: url, masterKey: masterKey) { runtime in
            let tenant = try await ProtocolFixture.acme(runtime)
            try await runtime.keyManagement.rotate(tenant, actor: "test")
            return try await runtime.store.signingKeys(inStates: KeyState.allCases)
        }
        let dump = try Self.run(try #require(Self.pgDump), ["--data-only", "--table=signing_keys", "--dbname=\(url)"])
        #expect(records.count == 5)
        for record in records {
            let sealed = try #require(record.sealedPrivateKey)
            let privateKey = try masterKey.open(sealed, tenantID: record.tenantID, kid: record.kid)
            // Controls: the dump is of these rows (bytea is dumped as hex).
            #expect(dump.contains(record.kid))
            #expect(dump.contains(Inspect.hex(sealed)))
            for spelling in [
                Inspect.hex(privateKey), Base64URL.encode(privateKey), Data(privateKey).base64EncodedString(),
            ] {
                #expect(!dump.contains(spelling), "kid \(record.kid): private key in the dump")
            }
        }
    }

    static func expectNoPrivateKey(of records: [SigningKeyRecord], in dump: [UInt8], masterKey: MasterKey) throws {
        #expect(records.count == 5)
        for record in records {
            let sealed = try #require(record.sealedPrivateKey)
            let privateKey = try masterKey.open(sealed, tenantID: record.tenantID, kid: record.kid)
            // Controls: what was read holds the rows.
            #expect(Inspect.contains(dump, Array(record.kid.utf8)), "kid \(record.kid) not found: wrong file?")
            #expect(Inspect.contains(dump, sealed), "sealed key \(record.kid) not found: wrong file?")
            #expect(!Inspect.contains(dump, privateKey), "kid \(record.kid): raw private key in the database file")
            for spelling in [
                Inspect.hex(privateKey), Base64URL.encode(privateKey), Data(privateKey).base64EncodedString(),
            ] {
                #expect(
                    !Inspect.contains(dump, Array(spelling.utf8)), "kid \(record.kid): encoded private key in the file")
            }
        }
    }

    /// Every file of the database (main file, WAL, shared memory), concatenated.
    static func bytes(of folder: URL) throws -> [UInt8] {
        var all: [UInt8] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() {
            all += try [UInt8](Data(contentsOf: folder.appendingPathComponent(name)))
        }
        return all
    }

    static var pgDump: String? {
        var candidates: [String] = []
        if let bin = PrivatePostgres.binaries { candidates.append("\(bin)/pg_dump") }
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            candidates.append("\(folder)/pg_dump")
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let result = try ProcessRunner.run(executable, arguments)
        try #require(result.status == 0, "\(executable) failed: \(result.stderr)")
        return result.stdout
    }

    // MARK: Master key rotation

    @Test(arguments: TestBackend.allCases)
    func rewrapMovesEveryPrivateKeyToTheNewMasterKey(backend: TestBackend) async throws {
        let url = try await TestDatabases.freshURL(backend)
        let oldKey = MasterKey.generate()
        let newKey = MasterKey.generate()
        let (tenant, token) = try await ProtocolFixture.withRuntime(url: url, masterKey: oldKey) { runtime in
            let tenant = try await ProtocolFixture.acme(runtime)
            try await runtime.keyManagement.rotate(tenant, actor: "test")
            let keys = try await TenantKeys.load(tenant, from: runtime.store, masterKey: oldKey)
            let token = try keys.sign(AccessClaims.fresh(), type: "at+jwt")

            let report = try await runtime.keyManagement.rewrap(to: newKey, actor: "test")

            let records = try await runtime.store.signingKeys(inStates: KeyState.allCases)
            #expect(report.signingKeys == records.filter { $0.sealedPrivateKey != nil }.count)
            #expect(report.signingKeys == 5)
            // Run again (as after an interruption): nothing is left to move.
            #expect(try await runtime.keyManagement.rewrap(to: newKey, actor: "test").total == 0)
            for record in records {
                let sealed = try #require(record.sealedPrivateKey)
                #expect(throws: Never.self) { try newKey.open(sealed, tenantID: record.tenantID, kid: record.kid) }
                #expect(throws: KeyError.cannotDecrypt(kid: record.kid)) {
                    try oldKey.open(sealed, tenantID: record.tenantID, kid: record.kid)
                }
            }
            await #expect(throws: KeyError.self) {
                try await TenantKeys.load(tenant, from: runtime.store, masterKey: oldKey)
            }
            return (tenant, token)
        }

        // An instance still on the old master key cannot load the keys (a server refuses to start
        // then: the end-to-end CLI and PostgreSQL suites check its message); the new one signs and
        // verifies what was signed before the rewrap.
        try await ProtocolFixture.withRuntime(url: url, masterKey: oldKey) { runtime in
            await #expect(throws: KeyError.self) { try await runtime.tenants.keys(for: tenant) }
        }
        try await ProtocolFixture.withRuntime(url: url, masterKey: newKey) { runtime in
            let keys = try await TenantKeys.load(tenant, from: runtime.store, masterKey: newKey)
            #expect(throws: Never.self) { try keys.verifyAccessToken(token) }
            #expect(throws: Never.self) {
                try keys.verifyAccessToken(try keys.sign(AccessClaims.fresh(), type: "at+jwt"))
            }
        }
    }

    // MARK: The schedule

    @Test(arguments: TestBackend.allCases)
    func theScheduleRotatesOnlyOnceTheNextKeyWasPublishedLongEnoughAndThenRetiresThePreviousKey(
        backend: TestBackend
    ) async throws {
        try await ProtocolFixture.withRuntime(backend) { runtime in
            let tenant = try await ProtocolFixture.acmeRotatingQuickly(runtime)
            let lifetime = RotationPolicy(settings: tenant.settings).longestTokenLifetime
            try #require(lifetime < 600, "a previous key must be due to retire before the next rotation")
            let initial = try await runtime.store.signingKeys(tenantID: tenant.id)
            let original = try initial.only(.current)
            let start = try #require(original.activatedAt)
            let clock = ManualClock(start)
            let keys = KeyManagement(store: runtime.store, masterKey: runtime.masterKey, clock: clock.function)
            let oldToken = try await TenantKeys.load(tenant, from: runtime.store, masterKey: runtime.masterKey)
                .sign(AccessClaims.fresh(), type: "at+jwt")

            // Within the rotation period nothing happens.
            clock.set(start + 300)
            #expect(try await keys.runSchedule() == [])

            // A next key published just before the period ends (the old one was revoked) ...
            clock.set(start + 590)
            try await keys.revoke(tenant, kid: try initial.only(.next).kid, actor: "test")
            let republished = try await runtime.store.signingKeys(tenantID: tenant.id).only(.next)
            #expect(abs(republished.createdAt.timeIntervalSince(start + 590)) < 0.01)

            // ... holds the rotation back after the period is over, until it was published for
            // key_publish_ahead: resource servers' cached JWKS may not hold it yet.
            clock.set(start + 605)
            #expect(try await keys.runSchedule() == [])
            #expect(try await runtime.store.signingKeys(tenantID: tenant.id).only(.current).kid == original.kid)

            clock.set(start + 621)
            #expect(try await keys.runSchedule() == [tenant.id])
            let rotated = try await runtime.store.signingKeys(tenantID: tenant.id)
            #expect(try rotated.only(.current).kid == republished.kid)
            let previous = try rotated.only(.previous)
            #expect(previous.kid == original.kid)
            #expect(previous.sealedPrivateKey != nil)
            let retireAfter = try #require(previous.retireAfter)
            #expect(abs(retireAfter.timeIntervalSince(start + 621) - Double(lifetime)) < 0.01)
            let afterRotation = try await TenantKeys.load(tenant, from: runtime.store, masterKey: runtime.masterKey)
            #expect(throws: Never.self) { try afterRotation.verifyAccessToken(oldToken) }

            // The previous key verifies until retireAfter ...
            clock.set(retireAfter - 1)
            #expect(try await keys.runSchedule() == [])
            #expect(try await runtime.store.signingKeys(tenantID: tenant.id).only(.previous).kid == original.kid)

            // ... and then retires: unpublished, private part destroyed.
            clock.set(retireAfter + 1)
            #expect(try await keys.runSchedule() == [tenant.id])
            let final = try await runtime.store.signingKeys(tenantID: tenant.id)
            let retired = try #require(final.first { $0.kid == original.kid })
            #expect(retired.state == .retired)
            #expect(retired.sealedPrivateKey == nil)
            #expect(retired.endedAt != nil)
            #expect(final.kids(.previous).isEmpty)
            #expect(try final.only(.current).kid == republished.kid)
            let loaded = try await TenantKeys.load(tenant, from: runtime.store, masterKey: runtime.masterKey)
            #expect(!(try Inspect.jwksKids(loaded.jwks.json).contains(original.kid)))
            #expect(throws: TokenRejection.unknownKey) { try loaded.verifyAccessToken(oldToken) }

            // Nothing more is due.
            #expect(try await keys.runSchedule() == [])
        }
    }
}
