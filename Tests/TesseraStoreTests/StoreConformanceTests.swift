import Foundation
import TesseraCore
import TesseraTestSupport
import Testing

@testable import TesseraStore

/// One suite, every backend: what a `Store` must do, whichever database is behind it.
@Suite("Store conformance")
struct StoreConformanceTests {
    @Test(arguments: TestBackend.allCases)
    func migrationsApplyOnceAndAreRecorded(backend: TestBackend) async throws {
        let store = try await DatabaseURL(try await TestDatabases.freshURL(backend)).open(logger: TestDatabases.logger)
        let first = try await store.migrate()
        #expect(first.first == "0001_initial.sql")
        #expect(try await store.migrate().isEmpty)
        await store.close()
    }

    @Test(arguments: TestBackend.allCases)
    func tenantRoundTripsWithItsSettings(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        var tenant = try Fixtures.tenant("acme")
        try tenant.settings.apply([.accessTokenTTL: 300])
        try await store.insertTenant(tenant)

        let read = try #require(try await store.tenant(slug: TenantSlug("acme")))
        #expect(read.id == tenant.id)
        #expect(read.name == tenant.name)
        #expect(read.settings.accessTokenTTL == 300)
        #expect(closeEnough(read.createdAt, tenant.createdAt))
        #expect(try await store.tenant(id: tenant.id)?.slug == tenant.slug)
        #expect(try await store.tenant(slug: TenantSlug("nobody")) == nil)
    }

    @Test(arguments: TestBackend.allCases)
    func duplicateTenantSlugIsAConflictAndWritesNothing(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        try await store.insertTenant(try Fixtures.tenant("acme"))
        let again = try Fixtures.tenant("acme")
        await #expect(throws: StoreError.self) { try await store.insertTenant(again) }
        #expect(try await store.tenant(id: again.id) == nil)
    }

    @Test(arguments: TestBackend.allCases)
    func tenantsAreListedBySlugPageByPage(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        for slug in ["delta", "alpha", "charlie", "bravo"] { try await store.insertTenant(try Fixtures.tenant(slug)) }
        let firstPage = try await store.tenants(after: nil, limit: 2)
        #expect(firstPage.map(\.slug.rawValue) == ["alpha", "bravo"])
        let secondPage = try await store.tenants(after: firstPage.last?.slug, limit: 2)
        #expect(secondPage.map(\.slug.rawValue) == ["charlie", "delta"])
    }

    @Test(arguments: TestBackend.allCases)
    func tenantSettingsAndStatusUpdate(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        var tenant = try await Fixtures.insertedTenant(store)
        try tenant.settings.apply([.rateLimitPerClient: 0])
        tenant.status = .disabled
        tenant.version += 1
        try await store.updateTenant(tenant)
        let read = try #require(try await store.tenant(id: tenant.id))
        #expect(read.settings.rateLimitPerClient == 0)
        #expect(read.status == .disabled)
        #expect(read.version == 2)
    }

    @Test(arguments: TestBackend.allCases)
    func aTenantWriteOverAChangeItHasNotSeenIsAConflict(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let original = try await Fixtures.insertedTenant(store)
        var first = original
        first.name = "First"
        first.version += 1
        try await store.updateTenant(first)
        var stale = original
        stale.name = "Stale"
        stale.version += 1
        await #expect(throws: StoreError.self) { try await store.updateTenant(stale) }
        #expect(try await store.tenant(id: original.id)?.name == "First")
    }

    @Test(arguments: TestBackend.allCases)
    func scopesAreKeptPerTenant(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let acme = try await Fixtures.insertedTenant(store)
        let beta = try await Fixtures.insertedTenant(store)
        try await store.insertScope(
            Scope(tenantID: acme.id, name: "orders:read", description: "Read", createdAt: Fixtures.now))
        // The same name in another tenant is another scope.
        try await store.insertScope(Scope(tenantID: beta.id, name: "orders:read", createdAt: Fixtures.now))
        await #expect(throws: StoreError.self) {
            try await store.insertScope(Scope(tenantID: acme.id, name: "orders:read", createdAt: Fixtures.now))
        }
        #expect(try await store.scopes(tenantID: acme.id).map(\.description) == ["Read"])
        #expect(try await store.scopes(tenantID: beta.id).count == 1)
    }

    @Test(arguments: TestBackend.allCases)
    func clientRoundTripsEveryField(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        let client = try Fixtures.client(in: tenant)
        try await store.insertClient(client)
        let read = try #require(try await store.client(tenantID: tenant.id, id: client.id))
        #expect(read.name == client.name)
        #expect(read.authMethod == .clientSecretBasic)
        #expect(read.secretHash == client.secretHash)
        #expect(read.secretHash?.matches("s3cret") == true)
        #expect(read.grantTypes == client.grantTypes)
        #expect(read.scopes == client.scopes)
        #expect(read.redirectURIs == client.redirectURIs)
        #expect(read.audiences == client.audiences)
        #expect(read.accessTokenTTL == 300)
        #expect(read.version == 1)
        #expect(read.requirements == .none)
    }

    @Test(arguments: TestBackend.allCases)
    func clientRequirementsRoundTripAndChange(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        var client = try Fixtures.client(in: tenant)
        client.requirements = ClientRequirements(
            dpopBoundAccessTokens: true, pushedAuthorizationRequests: true, refreshTokenRotation: .reuse)
        try await store.insertClient(client)
        #expect(try await store.client(tenantID: tenant.id, id: client.id)?.requirements == client.requirements)

        client.requirements = ClientRequirements(
            certificateBoundAccessTokens: true, signedRequestObject: true, refreshTokenRotation: nil)
        client.version += 1
        try await store.updateClient(client)
        let read = try #require(try await store.client(tenantID: tenant.id, id: client.id))
        #expect(read.requirements == client.requirements)
        #expect(read.requirements.refreshTokenRotation == nil)
    }

    @Test(arguments: TestBackend.allCases)
    func clientOfOneTenantIsInvisibleFromAnother(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let acme = try await Fixtures.insertedTenant(store)
        let beta = try await Fixtures.insertedTenant(store)
        let client = try Fixtures.client(in: acme)
        try await store.insertClient(client)
        #expect(try await store.client(tenantID: beta.id, id: client.id) == nil)
        #expect(try await store.clients(tenantID: beta.id, after: nil, limit: 10).isEmpty)
        #expect(try await store.clients(tenantID: acme.id, after: nil, limit: 10).map(\.id) == [client.id])
    }

    @Test(arguments: TestBackend.allCases)
    func staleClientUpdateIsAConflict(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        let client = try Fixtures.client(in: tenant)
        try await store.insertClient(client)

        var first = client
        first.name = "Renamed by admin one"
        first.version += 1
        try await store.updateClient(first)

        var second = client
        second.name = "Renamed by admin two"
        second.version += 1
        await #expect(throws: StoreError.self) { try await store.updateClient(second) }
        #expect(try await store.client(tenantID: tenant.id, id: client.id)?.name == "Renamed by admin one")
    }

    @Test(arguments: TestBackend.allCases)
    func usernamesAreUniqueWithinATenantOnly(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let acme = try await Fixtures.insertedTenant(store)
        let beta = try await Fixtures.insertedTenant(store)
        let alice = Fixtures.user(in: acme)
        try await store.insertUser(alice)
        try await store.insertUser(Fixtures.user(in: beta))
        do {
            try await store.insertUser(Fixtures.user(in: acme))
            Issue.record("a second alice in one tenant was accepted")
        } catch {
            #expect(isConflict(error))
        }
        #expect(try await store.user(tenantID: acme.id, username: "alice")?.id == alice.id)
        #expect(try await store.user(tenantID: beta.id, id: alice.id) == nil)
        #expect(try await store.users(tenantID: acme.id, after: nil, limit: 10).count == 1)
    }

    @Test(arguments: TestBackend.allCases)
    func oneCurrentSigningKeyPerTenant(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        try await store.insertSigningKey(Fixtures.key(in: tenant, state: .current))
        try await store.insertSigningKey(Fixtures.key(in: tenant, state: .next))
        await #expect(throws: StoreError.self) {
            try await store.insertSigningKey(Fixtures.key(in: tenant, state: .current))
        }
        let other = try await Fixtures.insertedTenant(store)
        try await store.insertSigningKey(Fixtures.key(in: other, state: .current))
        #expect(try await store.signingKeys(tenantID: tenant.id).count == 2)
        #expect(try await store.signingKeys(inStates: [.current]).count == 2)
    }

    @Test(arguments: TestBackend.allCases)
    func signingKeyUpdateChecksTheExpectedState(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        var key = Fixtures.key(in: tenant, state: .current)
        try await store.insertSigningKey(key)
        key.state = .previous
        key.deactivatedAt = Fixtures.now
        key.retireAfter = Fixtures.now.addingTimeInterval(600)
        try await store.updateSigningKey(key, expectedState: .current)
        // A second instance that still thinks the key is current loses.
        await #expect(throws: StoreError.self) { try await store.updateSigningKey(key, expectedState: .current) }
        let read = try #require(try await store.signingKeys(tenantID: tenant.id).first)
        #expect(read.state == .previous)
        #expect(closeEnough(read.retireAfter, key.retireAfter))
        #expect(read.sealedPrivateKey == [1, 2, 3])
    }

    @Test(arguments: TestBackend.allCases)
    func auditLogPagesInOrder(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        for index in 0..<5 {
            try await store.appendAudit(
                AuditEvent(
                    tenantID: tenant.id, occurredAt: Fixtures.now.addingTimeInterval(Double(index)), actor: "cli",
                    action: AuditAction.allCases[index], target: "t", requestID: "r\(index)"))
        }
        let page = try await store.auditEvents(tenantID: tenant.id, after: nil, limit: 3)
        #expect(page.map(\.action) == Array(AuditAction.allCases[0..<3]))
        let rest = try await store.auditEvents(tenantID: tenant.id, after: page.last?.id, limit: 3)
        #expect(rest.map(\.action) == Array(AuditAction.allCases[3..<5]))
        let other = try await Fixtures.insertedTenant(store)
        #expect(try await store.auditEvents(tenantID: other.id, after: nil, limit: 10).isEmpty)
    }

    @Test(arguments: TestBackend.allCases)
    func failedTransactionWritesNothing(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let existing = try await Fixtures.insertedTenant(store)
        let newcomer = try Fixtures.tenant()
        await #expect(throws: StoreError.self) {
            try await store.transaction { operations in
                try await operations.insertTenant(newcomer)
                try await operations.insertTenant(existing)  // duplicate: the whole transaction fails
            }
        }
        #expect(try await store.tenant(id: newcomer.id) == nil)
        // The store is still usable afterwards.
        try await store.insertTenant(newcomer)
        #expect(try await store.tenant(id: newcomer.id) != nil)
    }

    @Test(arguments: TestBackend.allCases)
    func expiredRowsArePurgedInBatchesAndLiveOnesStay(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        let past = Fixtures.now.addingTimeInterval(-60)
        let future = Fixtures.now.addingTimeInterval(600)
        for index in 0..<5 {
            try await store.insertRevokedToken(
                RevokedToken(tenantID: tenant.id, jti: "old-\(index)", expiresAt: past, revokedAt: past))
            try await store.recordClientAssertion(
                tenantID: tenant.id, clientID: "c", jti: "old-\(index)", expiresAt: past)
        }
        try await store.insertRevokedToken(
            RevokedToken(tenantID: tenant.id, jti: "live", expiresAt: future, revokedAt: past))
        try await store.recordClientAssertion(tenantID: tenant.id, clientID: "c", jti: "live", expiresAt: future)

        #expect(try await store.purgeExpired(before: Fixtures.now, batch: 3) == 6)
        #expect(try await store.purgeExpired(before: Fixtures.now, batch: 3) == 4)
        #expect(try await store.purgeExpired(before: Fixtures.now, batch: 3) == 0)
        #expect(try await store.revokedTokens(expiringAfter: .distantPast).map(\.jti) == ["live"])
        // A live assertion id is still remembered: using it again is a replay.
        await #expect(throws: StoreError.self) {
            try await store.recordClientAssertion(tenantID: tenant.id, clientID: "c", jti: "live", expiresAt: future)
        }
        // An expired one is forgotten.
        try await store.recordClientAssertion(tenantID: tenant.id, clientID: "c", jti: "old-0", expiresAt: future)
    }

    /// RFC 9449 §11.1: a proof's `jti` is accepted once per key, for the tenant, at every instance
    /// (two stores on one database stand for two instances); expired ids are purged.
    @Test(arguments: TestBackend.allCases)
    func aDPoPProofIdIsAcceptedOncePerKeyAtEveryInstance(backend: TestBackend) async throws {
        let url = try await TestDatabases.freshURL(backend)
        let first = try await DatabaseURL(url).open(logger: TestDatabases.logger)
        _ = try await first.migrate()
        let second = try await DatabaseURL(url).open(logger: TestDatabases.logger)
        defer {
            Task {
                await first.close()
                await second.close()
            }
        }
        let tenant = try await Fixtures.insertedTenant(first)
        let other = try await Fixtures.insertedTenant(first)
        let future = Fixtures.now.addingTimeInterval(60)
        try await first.recordDPoPProof(tenantID: tenant.id, jkt: "key-a", jti: "p1", expiresAt: future)
        await #expect(throws: StoreError.self) {
            try await second.recordDPoPProof(tenantID: tenant.id, jkt: "key-a", jti: "p1", expiresAt: future)
        }
        // Another key's or another tenant's proof with the same jti is another proof.
        try await second.recordDPoPProof(tenantID: tenant.id, jkt: "key-b", jti: "p1", expiresAt: future)
        try await second.recordDPoPProof(tenantID: other.id, jkt: "key-a", jti: "p1", expiresAt: future)
        // Expired ids go with the purge, and are then forgotten.
        try await first.recordDPoPProof(
            tenantID: tenant.id, jkt: "key-a", jti: "old", expiresAt: Fixtures.now.addingTimeInterval(-1))
        #expect(try await first.purgeExpired(before: Fixtures.now, batch: 100) == 1)
        try await first.recordDPoPProof(tenantID: tenant.id, jkt: "key-a", jti: "old", expiresAt: future)
    }

    @Test(arguments: TestBackend.allCases)
    func storeIsHealthyWhenTheDatabaseAnswers(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        // Closed whatever happens: a store dropped unclosed trips sqlite-nio's debug assertion
        // and takes the whole test process down. The bound is generous: the parallel suite
        // once kept a first SELECT 1 waiting past 2 s on two cores.
        defer { Task { await store.close() } }
        try await store.checkHealth(timeout: .seconds(10))
    }
}

@Suite("PostgreSQL migrations")
struct PostgresMigrationTests {
    @Test func concurrentStartsApplyEachMigrationOnce() async throws {
        let url = try await TestDatabases.freshURL(.postgres)
        let stores = try await (0..<4).asyncMap { _ in try await DatabaseURL(url).open(logger: TestDatabases.logger) }
        let applied = try await withThrowingTaskGroup(of: [String].self) { group in
            for store in stores { group.addTask { try await store.migrate() } }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(
            applied.sorted() == [
                "0001_initial.sql", "0002_admin.sql", "0003_tenant_version.sql", "0004_dpop_proofs.sql",
                "0005_refresh_token_binding.sql", "0006_requirements_and_pushed_requests.sql", "0007_totp.sql",
                "0008_authentication_methods.sql", "0009_recovery_codes.sql", "0010_post_logout_redirect_uris.sql",
                "0011_authentication_context.sql", "0012_passkeys.sql", "0013_sessions.sql",
                "0014_identity_providers.sql", "0015_key_lines.sql", "0016_refresh_authentication.sql",
                "0017_family_access_tokens.sql", "0018_bounded_storage.sql", "0020_cluster.sql",
                "0021_registration.sql", "0022_protected_resources.sql", "0023_admin_roles.sql",
            ])
        for store in stores { await store.close() }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

@Suite("Schema files")
struct SchemaFileTests {
    @Test func bothDialectsCarryTheSameMigrations() {
        let postgres = Migration.all(for: .postgres).map(\.name)
        let sqlite = Migration.all(for: .sqlite).map(\.name)
        #expect(!postgres.isEmpty)
        #expect(postgres == sqlite)
        #expect(Set(Migration.all(for: .postgres).map(\.version)).count == postgres.count)
    }

    @Test func statementsSplitOutsideQuotesAndComments() {
        let migration = Migration(
            version: 1, name: "x",
            sql: "-- a comment; with a semicolon\nCREATE TABLE a (b text DEFAULT ';');\nSELECT 1;")
        #expect(migration.statements == ["CREATE TABLE a (b text DEFAULT ';')", "SELECT 1"])
    }
}
