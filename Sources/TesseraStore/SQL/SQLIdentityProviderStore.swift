import Foundation
import TesseraCore

extension SQLExecutor {
    public func insertIdentityProvider(_ provider: IdentityProvider) async throws {
        try await execute(
            """
            INSERT INTO identity_providers (tenant_id, id, slug, name, issuer, client_id, client_auth, client_secret,
                key_id, public_jwk, private_key, scopes, claim_mapping, enabled, version, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
            """,
            [
                .uuid(provider.tenantID), .uuid(provider.id), .text(provider.slug), .text(provider.name),
                .text(provider.issuer), .text(provider.clientID), .text(provider.authentication.rawValue),
                provider.sealedClientSecret.map(SQLValue.bytes) ?? .null,
                provider.assertionKey.map { .text($0.kid) } ?? .null,
                provider.assertionKey.map { .text($0.publicJWK) } ?? .null,
                provider.assertionKey.map { .bytes($0.sealedPrivateKey) } ?? .null,
                SQLJSON.encode(provider.scopes), SQLJSON.encode(provider.claims), .bool(provider.enabled),
                .int(provider.version), .date(provider.createdAt), .date(provider.updatedAt),
            ])
    }

    public func identityProvider(tenantID: UUID, id: UUID) async throws -> IdentityProvider? {
        try await first(
            "SELECT * FROM identity_providers WHERE tenant_id = $1 AND id = $2", [.uuid(tenantID), .uuid(id)]
        ).map(IdentityProvider.init(row:))
    }

    public func identityProvider(tenantID: UUID, slug: String) async throws -> IdentityProvider? {
        try await first(
            "SELECT * FROM identity_providers WHERE tenant_id = $1 AND slug = $2", [.uuid(tenantID), .text(slug)]
        ).map(IdentityProvider.init(row:))
    }

    public func identityProviders(tenantID: UUID) async throws -> [IdentityProvider] {
        try await execute(
            "SELECT * FROM identity_providers WHERE tenant_id = $1 ORDER BY slug", [.uuid(tenantID)]
        ).map(IdentityProvider.init(row:))
    }

    public func updateIdentityProvider(_ provider: IdentityProvider) async throws {
        let rows = try await execute(
            """
            UPDATE identity_providers SET name = $3, client_secret = $4, scopes = $5, claim_mapping = $6,
                enabled = $7, version = $8, updated_at = $9
            WHERE tenant_id = $1 AND id = $2 AND version = $10
            RETURNING id
            """,
            [
                .uuid(provider.tenantID), .uuid(provider.id), .text(provider.name),
                provider.sealedClientSecret.map(SQLValue.bytes) ?? .null, SQLJSON.encode(provider.scopes),
                SQLJSON.encode(provider.claims), .bool(provider.enabled), .int(provider.version),
                .date(provider.updatedAt), .int(provider.version - 1),
            ])
        guard !rows.isEmpty else {
            throw StoreError.conflict(
                "identity provider \(provider.id) is missing or was changed since version \(provider.version - 1)")
        }
    }

    public func deleteIdentityProvider(tenantID: UUID, id: UUID) async throws -> Bool {
        !(try await execute(
            "DELETE FROM identity_providers WHERE tenant_id = $1 AND id = $2 RETURNING id",
            [.uuid(tenantID), .uuid(id)]
        ).isEmpty)
    }

    public func insertUpstreamAccountLink(_ link: UpstreamAccountLink) async throws {
        try await execute(
            """
            INSERT INTO upstream_accounts (tenant_id, issuer, subject, user_id, provider_id, email, name, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """,
            [
                .uuid(link.tenantID), .text(link.issuer), .text(link.subject), .uuid(link.userID),
                .uuid(link.providerID), link.email.map(SQLValue.text) ?? .null, link.name.map(SQLValue.text) ?? .null,
                .date(link.createdAt),
            ])
    }

    public func upstreamAccountLink(
        tenantID: UUID, issuer: String, subject: String
    ) async throws
        -> UpstreamAccountLink?
    {
        try await first(
            "SELECT * FROM upstream_accounts WHERE tenant_id = $1 AND issuer = $2 AND subject = $3",
            [.uuid(tenantID), .text(issuer), .text(subject)]
        ).map { row in
            UpstreamAccountLink(
                tenantID: try row.uuid("tenant_id"), issuer: try row.string("issuer"),
                subject: try row.string("subject"), userID: try row.uuid("user_id"),
                providerID: try row.uuid("provider_id"), email: try row.optionalString("email"),
                name: try row.optionalString("name"), createdAt: try row.date("created_at"))
        }
    }
}

extension IdentityProvider {
    init(row: SQLRow) throws {
        let id = try row.uuid("id")
        guard let authentication = ClientAuthentication(rawValue: try row.string("client_auth")) else {
            throw StoreError.corrupt("identity provider \(id): client_auth")
        }
        var key: AssertionKey?
        if let kid = try row.optionalString("key_id") {
            guard let jwk = try row.optionalString("public_jwk"), let sealed = try row.optionalBytes("private_key")
            else { throw StoreError.corrupt("identity provider \(id): key without its parts") }
            key = AssertionKey(kid: kid, publicJWK: jwk, sealedPrivateKey: sealed)
        }
        self.init(
            tenantID: try row.uuid("tenant_id"), id: id, slug: try row.string("slug"), name: try row.string("name"),
            issuer: try row.string("issuer"), clientID: try row.string("client_id"), authentication: authentication,
            sealedClientSecret: try row.optionalBytes("client_secret"), assertionKey: key,
            scopes: try row.json([String].self, "scopes"),
            claims: try row.json(ClaimMapping.self, "claim_mapping"), enabled: try row.bool("enabled"),
            version: try row.int("version"), createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at"))
    }
}
