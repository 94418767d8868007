import Foundation
import TesseraCore
import TesseraJOSE
import TesseraOAuth
import TesseraStore
import TesseraTestSupport
import Testing

/// The protocol layer on a fresh migrated database, assembled as `TesseraRuntime` assembles it
/// but without HTTP: the tests of protocol types live here, beside those types' module.
struct ProtocolRuntime: Sendable {
    static let publicURL = "http://127.0.0.1:8080"
    static let issuer = AccessClaims.issuer

    let store: any Store
    let masterKey: MasterKey
    let keyRing: KeyRing
    let tenants: TenantDirectory
    let clients: CachedClientDirectory
    let revocations: RevocationList
    let administration: Administration
    let keyManagement: KeyManagement

    static func open(url: String, masterKey: MasterKey) async throws -> ProtocolRuntime {
        let store = try await DatabaseURL(url).open(logger: TestDatabases.logger)
        _ = try await store.migrate()
        let keyRing = KeyRing(masterKey: masterKey)
        let revocations = RevocationList()
        let runtime = ProtocolRuntime(
            store: store, masterKey: masterKey, keyRing: keyRing,
            tenants: TenantDirectory(store: store, keyRing: keyRing), clients: CachedClientDirectory(store: store),
            revocations: revocations,
            administration: Administration(
                store: store, publicURL: try PublicURL(publicURL), passwords: try PasswordHasher(cost: 10),
                keyProvisioner: TenantKeyProvisioner(masterKey: masterKey)),
            keyManagement: KeyManagement(store: store, masterKey: masterKey))
        // As every start does: the system tenant exists from the first one on.
        try await runtime.administration.ensureSystemTenant()
        return runtime
    }

    /// The tenant as the wall hands it to protocol code.
    func context(_ tenant: Tenant) async throws -> TenantContext {
        try #require(try await tenants.context(slug: tenant.slug.rawValue, publicURL: try PublicURL(Self.publicURL)))
    }
}

enum ProtocolFixture {
    /// Opens the protocol layer on a new database of `backend`, runs `body`, closes it whatever happens.
    static func withRuntime<T>(
        _ backend: TestBackend, masterKey: MasterKey = MasterKey.generate(), _ body: (ProtocolRuntime) async throws -> T
    ) async throws -> T {
        try await withRuntime(url: try await TestDatabases.freshURL(backend), masterKey: masterKey, body)
    }

    static func withRuntime<T>(
        url: String, masterKey: MasterKey, _ body: (ProtocolRuntime) async throws -> T
    ) async throws -> T {
        let runtime = try await ProtocolRuntime.open(url: url, masterKey: masterKey)
        do {
            let result = try await body(runtime)
            await runtime.store.close()
            return result
        } catch {
            await runtime.store.close()
            throw error
        }
    }

    /// The tenant most tests use: `acme`, with a `current` and a `next` key.
    static func acme(_ runtime: ProtocolRuntime) async throws -> Tenant {
        try await runtime.administration.createTenant(slug: "acme", name: "Acme", actor: "test")
    }

    /// `acme` with keys that rotate every 600 s, published 30 s ahead, for tokens of 60 s: a
    /// previous key retires before the next rotation, so a test can walk a whole key life.
    static func acmeRotatingQuickly(_ runtime: ProtocolRuntime) async throws -> Tenant {
        try await runtime.administration.updateSettings(
            of: try await acme(runtime),
            [.keyPublishAhead: 30, .keyRotationPeriod: 600, .accessTokenTTL: 60, .idTokenTTL: 60], actor: "test")
    }
}
