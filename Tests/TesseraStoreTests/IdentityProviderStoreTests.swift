import Foundation
import TesseraCore
import TesseraTestSupport
import Testing

@testable import TesseraStore

/// The identity provider and account link storage, on every backend.
@Suite("Identity provider storage conformance")
struct IdentityProviderStoreTests {
    static func provider(in tenant: Tenant, slug: String = "corp", key: Bool = false) -> IdentityProvider {
        IdentityProvider(
            tenantID: tenant.id, slug: slug, name: "Corp", issuer: "https://idp.example.com/t/corp",
            clientID: "tessera", authentication: key ? .privateKeyJWT : .clientSecretBasic,
            sealedClientSecret: key ? nil : [1, 2, 3],
            assertionKey: key
                ? IdentityProvider.AssertionKey(kid: "k1", publicJWK: "{}", sealedPrivateKey: [9, 8]) : nil,
            scopes: ["openid", "email"], claims: IdentityProvider.ClaimMapping(username: "email"), enabled: true,
            createdAt: Date().roundedToMilliseconds)
    }

    /// Equal but for the dates, which must be within a millisecond (backends keep their own precision).
    static func same(_ read: IdentityProvider?, _ written: IdentityProvider) -> Bool {
        guard let read, closeEnough(read.createdAt, written.createdAt), closeEnough(read.updatedAt, written.updatedAt)
        else { return false }
        let aligned = IdentityProvider(
            tenantID: read.tenantID, id: read.id, slug: read.slug, name: read.name, issuer: read.issuer,
            clientID: read.clientID, authentication: read.authentication, sealedClientSecret: read.sealedClientSecret,
            assertionKey: read.assertionKey, scopes: read.scopes, claims: read.claims, enabled: read.enabled,
            version: read.version, createdAt: written.createdAt, updatedAt: written.updatedAt)
        return aligned == written
    }

    static func same(_ read: UpstreamAccountLink?, _ written: UpstreamAccountLink) -> Bool {
        guard let read, closeEnough(read.createdAt, written.createdAt) else { return false }
        return UpstreamAccountLink(
            tenantID: read.tenantID, issuer: read.issuer, subject: read.subject, userID: read.userID,
            providerID: read.providerID, email: read.email, name: read.name, createdAt: written.createdAt) == written
    }

    @Test(arguments: TestBackend.allCases)
    func providersRoundTripByIdAndSlugWithinTheirTenant(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        let other = try await Fixtures.insertedTenant(store)
        let secret = Self.provider(in: tenant)
        let keyed = Self.provider(in: tenant, slug: "alpha", key: true)
        try await store.insertIdentityProvider(secret)
        try await store.insertIdentityProvider(keyed)
        #expect(Self.same(try await store.identityProvider(tenantID: tenant.id, id: secret.id), secret))
        #expect(Self.same(try await store.identityProvider(tenantID: tenant.id, slug: "alpha"), keyed))
        #expect(try await store.identityProviders(tenantID: tenant.id).map(\.slug) == ["alpha", "corp"])
        // Another tenant finds nothing by id or slug.
        #expect(try await store.identityProvider(tenantID: other.id, id: secret.id) == nil)
        #expect(try await store.identityProvider(tenantID: other.id, slug: "corp") == nil)
        #expect(try await store.identityProviders(tenantID: other.id).isEmpty)
        #expect(try await store.deleteIdentityProvider(tenantID: other.id, id: secret.id) == false)
        // The slug is free in another tenant, taken in this one.
        try await store.insertIdentityProvider(Self.provider(in: other))
        await #expect(throws: StoreError.self) { try await store.insertIdentityProvider(Self.provider(in: tenant)) }
    }

    @Test(arguments: TestBackend.allCases)
    func updatesCheckTheVersionAndDeletesRemove(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        var provider = Self.provider(in: tenant)
        try await store.insertIdentityProvider(provider)
        provider.enabled = false
        provider.name = "Corp SSO"
        provider.version = 2
        provider.updatedAt = Date().roundedToMilliseconds
        try await store.updateIdentityProvider(provider)
        #expect(Self.same(try await store.identityProvider(tenantID: tenant.id, id: provider.id), provider))
        // A write over a version that is no longer stored is a conflict.
        await #expect(throws: StoreError.self) { try await store.updateIdentityProvider(provider) }
        #expect(try await store.deleteIdentityProvider(tenantID: tenant.id, id: provider.id))
        #expect(try await store.identityProvider(tenantID: tenant.id, id: provider.id) == nil)
    }

    @Test(arguments: TestBackend.allCases)
    func oneLinkPerIssuerAndSubjectPerTenant(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        let other = try await Fixtures.insertedTenant(store)
        let issuer = "https://idp.example.com/t/corp"
        let link = UpstreamAccountLink(
            tenantID: tenant.id, issuer: issuer, subject: "sub-1", userID: UUID(), providerID: UUID(),
            email: "alice@example.com", name: nil, createdAt: Date().roundedToMilliseconds)
        try await store.insertUpstreamAccountLink(link)
        #expect(
            Self.same(try await store.upstreamAccountLink(tenantID: tenant.id, issuer: issuer, subject: "sub-1"), link))
        // The same sub at another issuer is another account; another tenant sees none.
        #expect(try await store.upstreamAccountLink(tenantID: tenant.id, issuer: issuer + "x", subject: "sub-1") == nil)
        #expect(try await store.upstreamAccountLink(tenantID: other.id, issuer: issuer, subject: "sub-1") == nil)
        let again = UpstreamAccountLink(
            tenantID: tenant.id, issuer: issuer, subject: "sub-1", userID: UUID(), providerID: UUID(), email: nil,
            name: nil, createdAt: Date())
        await #expect(throws: StoreError.self) { try await store.insertUpstreamAccountLink(again) }
        #expect(
            try await store.upstreamAccountLink(tenantID: tenant.id, issuer: issuer, subject: "sub-1")?.userID
                == link.userID)
    }
}
