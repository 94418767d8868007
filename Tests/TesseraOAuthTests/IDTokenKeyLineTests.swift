import Foundation
import TesseraCore
import TesseraJOSE
import TesseraStore
import TesseraTestSupport
import Testing

@testable import TesseraOAuth

/// ID-token key lines on a real database, both backends (docs/id-token-signing.md): made once,
/// when a client first registers the algorithm, even by two instances at once; rotated and
/// retired by the schedule with the main line's policy; revoked like any key.
@Suite("ID-token key lines on a database")
struct IDTokenKeyLineTests {
    static func registration(_ algorithm: String?) -> Administration.ClientRegistration {
        var registration = Administration.ClientRegistration(
            name: "App", grants: ["authorization_code"], scopes: ["openid"],
            redirectURIs: ["https://app.example.com/cb"])
        registration.idTokenSigningAlgorithm = algorithm
        return registration
    }

    static func line(_ records: [SigningKeyRecord], _ line: KeyLine) -> [SigningKeyRecord] {
        records.filter { $0.line == line }
    }

    /// An ID token's claims, enough to verify one.
    struct Claims: CompactJSONEncodable, CompactJSONDecodable, Equatable {
        let iss: String
        let exp: Int
        init(exp: Int) {
            iss = AccessClaims.issuer
            self.exp = exp
        }
        init(compactJSON object: JSONObject) throws(JSONReader.Failure) {
            iss = try object.string("iss")
            exp = Int(try object.optionalNumber("exp") ?? 0)
        }
        var compactJSON: [UInt8] {
            var writer = JSONWriter(capacity: 64)
            writer.string("iss", iss)
            writer.number("exp", exp)
            return writer.finished()
        }
    }

    static func verify(_ token: String, with keys: TenantKeys, at now: Date) throws(TokenRejection) {
        _ = try keys.verify(
            token, as: Claims.self, expectedType: "JWT", issuer: AccessClaims.issuer, now: now, leeway: 0)
    }

    @Test(arguments: TestBackend.allCases)
    func theFirstRS256ClientProvisionsTheLineOnceAndOthersReuseIt(backend: TestBackend) async throws {
        try await ProtocolFixture.withRuntime(backend) { runtime in
            let tenant = try await ProtocolFixture.acme(runtime)
            _ = try await runtime.administration.createClient(in: tenant, Self.registration(nil), actor: "test")
            _ = try await runtime.administration.createClient(in: tenant, Self.registration("ES256"), actor: "test")
            let (client, _) = try await runtime.administration.createClient(
                in: tenant, Self.registration("RS256"), actor: "test")
            #expect(client.requirements.idTokenSigningAlgorithm == .rs256)
            _ = try await runtime.administration.createClient(in: tenant, Self.registration("RS256"), actor: "test")
            let records = try await runtime.store.signingKeys(tenantID: tenant.id)
            let rsa = Self.line(records, .idToken(.rs256))
            #expect(rsa.map(\.state).sorted { $0.rawValue < $1.rawValue } == [.current, .next])
            #expect(rsa.allSatisfy { $0.algorithm == .rs256 })
            // An explicit ES256 is a line of its own: the main line may change algorithm later.
            #expect(Self.line(records, .idToken(.es256)).count == 2)
            #expect(Self.line(records, .main).count == 2)
            let keys = try await TenantKeys.load(tenant, from: runtime.store, masterKey: runtime.masterKey)
            #expect(try keys.idTokenSigner(for: .rs256).kid == (try rsa.only(.current)).kid)
            #expect(try keys.idTokenSigner(for: nil).kid == keys.current?.kid)
            #expect(throws: KeyError.self) { _ = try keys.idTokenSigner(for: .edDSA) }
            // Published, each with its own kid; the access-token key is still the main one.
            let published = try Inspect.jwksKids(keys.jwks.json)
            #expect(Set(rsa.map(\.kid)).isSubset(of: Set(published)))
            #expect(published.first == keys.current?.kid)
            let audit = try await runtime.store.auditEvents(tenantID: tenant.id, after: nil, limit: 100)
            #expect(audit.filter { $0.action == .keyProvision }.count == 2)
        }
    }

    /// Several instances share PostgreSQL (SQLite serves one instance).
    @Test func twoInstancesRegisteringRS256ClientsAtOnceLeaveOneLine() async throws {
        let url = try await TestDatabases.freshURL(.postgres)
        let masterKey = MasterKey.generate()
        try await ProtocolFixture.withRuntime(url: url, masterKey: masterKey) { runtime in
            let tenant = try await ProtocolFixture.acme(runtime)
            // Two Administration values on one database, as two instances would be.
            let second = try await ProtocolRuntime.open(url: url, masterKey: masterKey)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for administration in [runtime.administration, second.administration, runtime.administration] {
                    group.addTask {
                        _ = try await administration.createClient(in: tenant, Self.registration("RS256"), actor: "test")
                    }
                }
                try await group.waitForAll()
            }
            await second.store.close()
            let records = try await runtime.store.signingKeys(tenantID: tenant.id)
            let rsa = Self.line(records, .idToken(.rs256))
            #expect(rsa.filter { $0.state == .current }.count == 1)
            #expect(rsa.filter { $0.state == .next }.count == 1)
            let clients = try await runtime.store.clients(tenantID: tenant.id, after: nil, limit: 10)
            #expect(clients.filter { $0.requirements.idTokenSigningAlgorithm == .rs256 }.count == 3)
        }
    }

    @Test(arguments: TestBackend.allCases)
    func theScheduleRotatesTheRS256LineAndKeepsItsOldKeyPublishedWhileItsTokensLive(
        backend: TestBackend
    ) async throws {
        try await ProtocolFixture.withRuntime(backend) { runtime in
            let tenant = try await ProtocolFixture.acmeRotatingQuickly(runtime)
            _ = try await runtime.administration.createClient(in: tenant, Self.registration("RS256"), actor: "test")
            let initial = try await runtime.store.signingKeys(tenantID: tenant.id)
            let original = try Self.line(initial, .idToken(.rs256)).only(.current)
            let originalNext = try Self.line(initial, .idToken(.rs256)).only(.next)
            let start = try #require(original.activatedAt)
            let clock = ManualClock(start)
            let keys = KeyManagement(store: runtime.store, masterKey: runtime.masterKey, clock: clock.function)
            let before = try await TenantKeys.load(tenant, from: runtime.store, masterKey: runtime.masterKey)
            let token = try before.idTokenSigner(for: .rs256).sign(
                Claims(exp: Int(start.timeIntervalSince1970) + 700), type: "JWT")

            clock.set(start + 300)
            #expect(try await keys.runSchedule() == [])

            // Both lines are due at once: both rotate, the RS256 line to its published next key.
            clock.set(start + 660)
            #expect(try await keys.runSchedule() == [tenant.id])
            let rotated = try await runtime.store.signingKeys(tenantID: tenant.id)
            let rsa = Self.line(rotated, .idToken(.rs256))
            #expect(try rsa.only(.current).kid == originalNext.kid)
            #expect(try rsa.only(.previous).kid == original.kid)
            #expect(rsa.allSatisfy { $0.algorithm == .rs256 })
            #expect(
                try Self.line(rotated, .main).only(.previous).kid == (try Self.line(initial, .main).only(.current)).kid)
            let after = try await TenantKeys.load(tenant, from: runtime.store, masterKey: runtime.masterKey)
            #expect(try after.idTokenSigner(for: .rs256).kid == originalNext.kid)
            #expect(try Inspect.jwksKids(after.jwks.json).contains(original.kid))
            try Self.verify(token, with: after, at: start + 661)

            // The old key is retired once every token it signed has expired, and leaves the JWKS.
            let retireAfter = try #require(try rsa.only(.previous).retireAfter)
            clock.set(retireAfter + 1)
            #expect(try await keys.runSchedule() == [tenant.id])
            let final = try await TenantKeys.load(tenant, from: runtime.store, masterKey: runtime.masterKey)
            #expect(!(try Inspect.jwksKids(final.jwks.json).contains(original.kid)))
            #expect(throws: TokenRejection.unknownKey) { try Self.verify(token, with: final, at: retireAfter + 1) }
            #expect(try await keys.runSchedule() == [])
        }
    }

    @Test(arguments: TestBackend.allCases)
    func revokingTheRS256KeyPromotesItsLinesNextAndLeavesTheMainLineAlone(backend: TestBackend) async throws {
        try await ProtocolFixture.withRuntime(backend) { runtime in
            let tenant = try await ProtocolFixture.acme(runtime)
            _ = try await runtime.administration.createClient(in: tenant, Self.registration("RS256"), actor: "test")
            let initial = try await runtime.store.signingKeys(tenantID: tenant.id)
            let rsa = Self.line(initial, .idToken(.rs256))
            let keys = try await TenantKeys.load(tenant, from: runtime.store, masterKey: runtime.masterKey)
            let token = try keys.idTokenSigner(for: .rs256).sign(
                Claims(exp: Int(Date().timeIntervalSince1970) + 300), type: "JWT")

            try await runtime.keyManagement.revoke(tenant, kid: try rsa.only(.current).kid, actor: "test")
            let after = try await runtime.store.signingKeys(tenantID: tenant.id)
            let line = Self.line(after, .idToken(.rs256))
            #expect(try line.only(.current).kid == (try rsa.only(.next)).kid)
            #expect(try line.only(.next).algorithm == .rs256)
            #expect(Self.line(after, .main) == Self.line(initial, .main))
            let reloaded = try await TenantKeys.load(tenant, from: runtime.store, masterKey: runtime.masterKey)
            #expect(throws: TokenRejection.unknownKey) { try Self.verify(token, with: reloaded, at: Date()) }
            #expect(!(try Inspect.jwksKids(reloaded.jwks.json).contains(try rsa.only(.current).kid)))
        }
    }

    @Test(arguments: ["none", "HS256", "PS256", "es256", "", "Ed448"])
    func aClientNamingAnAlgorithmTesseraCannotSignWithIsRefusedAndNothingIsWritten(name: String) async throws {
        try await ProtocolFixture.withRuntime(.sqlite) { runtime in
            let tenant = try await ProtocolFixture.acme(runtime)
            let keysBefore = try await runtime.store.signingKeys(tenantID: tenant.id)
            await #expect(throws: ValidationError.self) {
                _ = try await runtime.administration.createClient(in: tenant, Self.registration(name), actor: "test")
            }
            let (client, _) = try await runtime.administration.createClient(
                in: tenant, Self.registration(nil), actor: "test")
            var changes = Administration.ClientChanges()
            changes.idTokenSigningAlgorithm = name
            do {
                _ = try await runtime.administration.updateClient(
                    in: tenant, id: client.id, changes, expectedVersion: nil, actor: "test")
                Issue.record("'\(name)' was accepted")
            } catch let error as ValidationError {
                #expect(error.field == "id_token_signed_response_alg")
            }
            #expect(try await runtime.store.signingKeys(tenantID: tenant.id) == keysBefore)
            let stored = try await runtime.store.client(tenantID: tenant.id, id: client.id)
            #expect(stored?.version == client.version && stored?.requirements.idTokenSigningAlgorithm == nil)
        }
    }
}
