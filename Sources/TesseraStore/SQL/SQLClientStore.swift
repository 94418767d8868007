import Foundation
import TesseraCore

extension SQLExecutor {
    public func insertClient(_ client: Client) async throws {
        try await execute(
            """
            INSERT INTO clients (tenant_id, client_id, name, auth_method, secret_hash, jwks, grant_types, scopes,
                redirect_uris, audiences, access_token_ttl, requirements, status, version, post_logout_redirect_uris,
                created_at, updated_at, backchannel_logout, origin, verified, registration, last_used_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
                $22)
            """,
            [.uuid(client.tenantID), .text(client.id)] + client.mutableColumns + [
                .date(client.createdAt), .date(client.updatedAt), client.backchannelLogoutColumn,
                .text(client.origin.rawValue), .bool(client.verified), client.registrationColumn,
                client.lastUsedAt.map(SQLValue.date) ?? .null,
            ])
    }

    public func client(tenantID: UUID, id: String) async throws -> Client? {
        try await first(
            "SELECT * FROM clients WHERE tenant_id = $1 AND client_id = $2", [.uuid(tenantID), .text(id)]
        ).map(Client.init(row:))
    }

    public func clients(tenantID: UUID, after cursor: String?, limit: Int) async throws -> [Client] {
        try await execute(
            "SELECT * FROM clients WHERE tenant_id = $1 AND client_id > $2 ORDER BY client_id LIMIT $3",
            [.uuid(tenantID), .text(cursor ?? ""), .int(limit)]
        ).map(Client.init(row:))
    }

    public func deleteClient(tenantID: UUID, id: String) async throws -> Bool {
        !(try await execute(
            "DELETE FROM clients WHERE tenant_id = $1 AND client_id = $2 RETURNING client_id",
            [.uuid(tenantID), .text(id)]
        ).isEmpty)
    }

    public func updateClient(_ client: Client) async throws {
        let rows = try await execute(
            """
            UPDATE clients SET name = $3, auth_method = $4, secret_hash = $5, jwks = $6, grant_types = $7, scopes = $8,
                redirect_uris = $9, audiences = $10, access_token_ttl = $11, requirements = $12, status = $13,
                version = $14, post_logout_redirect_uris = $15, updated_at = $16, backchannel_logout = $18,
                verified = $19, registration = $20
            WHERE tenant_id = $1 AND client_id = $2 AND version = $17
            RETURNING client_id
            """,
            [.uuid(client.tenantID), .text(client.id)] + client.mutableColumns
                + [
                    .date(client.updatedAt), .int(client.version - 1), client.backchannelLogoutColumn,
                    .bool(client.verified), client.registrationColumn,
                ])
        guard !rows.isEmpty else {
            throw StoreError.conflict(
                "client \(client.id) is missing or was changed since version \(client.version - 1)")
        }
    }
}

extension Client {
    /// Columns 3 to 15 of the clients table, in order.
    fileprivate var mutableColumns: [SQLValue] {
        [
            .text(name), .text(authMethod.rawValue), secretHash.map { .bytes($0.bytes) } ?? .null,
            jwks.map(SQLValue.text) ?? .null, SQLJSON.encode(grantTypes), SQLJSON.encode(scopes),
            SQLJSON.encode(redirectURIs), SQLJSON.encode(audiences), accessTokenTTL.map(SQLValue.int) ?? .null,
            SQLJSON.encode(requirements), .text(status.rawValue), .int(version), SQLJSON.encode(postLogoutRedirectURIs),
        ]
    }

    /// The RFC 7592 token hash and RFC 7591 metadata of a self-registered client; null otherwise.
    fileprivate var registrationColumn: SQLValue {
        registration.map(SQLJSON.encode) ?? .null
    }

    /// OIDC Back-Channel Logout §2.2 registration, a JSON object; null when none.
    fileprivate var backchannelLogoutColumn: SQLValue {
        backchannelLogout.map(SQLJSON.encode) ?? .null
    }

    init(row: SQLRow) throws {
        try self.init(columns: row)
        if try row.optionalString("backchannel_logout") != nil {
            backchannelLogout = try row.json(BackChannelLogout.self, "backchannel_logout")
        }
        guard let origin = ClientOrigin(rawValue: try row.string("origin")) else {
            throw StoreError.corrupt("client \(id)")
        }
        self.origin = origin
        verified = try row.bool("verified")
        if try row.optionalString("registration") != nil {
            registration = try row.json(ClientRegistrationRecord.self, "registration")
        }
        lastUsedAt = try row.optionalDate("last_used_at")
    }

    private init(columns row: SQLRow) throws {
        let id = try row.string("client_id")
        guard let method = ClientAuthMethod(rawValue: try row.string("auth_method")),
            let status = Client.Status(rawValue: try row.string("status"))
        else { throw StoreError.corrupt("client \(id)") }
        self.init(
            tenantID: try row.uuid("tenant_id"), id: id, name: try row.string("name"), authMethod: method,
            secretHash: try row.optionalBytes("secret_hash").map(SecretHash.init(bytes:)),
            jwks: try row.optionalString("jwks"), grantTypes: try row.json([GrantType].self, "grant_types"),
            scopes: try row.json(ScopeSet.self, "scopes"),
            redirectURIs: try row.json([RedirectURI].self, "redirect_uris"),
            postLogoutRedirectURIs: try row.json([RedirectURI].self, "post_logout_redirect_uris"),
            audiences: try row.json([String].self, "audiences"),
            accessTokenTTL: try row.optionalInt("access_token_ttl"),
            requirements: try row.json(ClientRequirements.self, "requirements"), status: status,
            version: try row.int("version"), createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at"))
    }
}

extension SQLExecutor {
    /// A self-registered client was given a token at `date` (docs/dynamic-client-registration.md):
    /// not a change of its configuration, so neither its version nor the change feed moves.
    public func recordClientUse(tenantID: UUID, id: String, at date: Date) async throws {
        try await execute(
            "UPDATE clients SET last_used_at = $3 WHERE tenant_id = $1 AND client_id = $2",
            [.uuid(tenantID), .text(id), .date(date)])
    }

    /// How many clients of the tenant no administrator made: what `registration_max_clients` caps.
    public func registeredClientCount(tenantID: UUID) async throws -> Int {
        try await first(
            "SELECT COUNT(*) AS count FROM clients WHERE tenant_id = $1 AND origin <> 'admin'", [.uuid(tenantID)]
        )?.int("count") ?? 0
    }

    /// Up to `limit` self-registered clients of the tenants named, unused since their tenant's
    /// cutoff (their last token, or their registration): the purge deletes them. One statement
    /// for the page of tenants, as the audit purge does. A metadata document's client is purged
    /// too (its next use fetches the document again), unless an administrator verified or
    /// blocked it: that decision would be lost with the row.
    public func unusedRegisteredClients(olderThan cutoffs: [UUID: Date], limit: Int) async throws -> [(UUID, String)] {
        guard !cutoffs.isEmpty else { return [] }
        let (condition, binds) = Self.tenantCutoffs(
            cutoffs, column: "COALESCE(last_used_at, created_at)", after: [.int(limit)])
        return try await execute(
            """
            SELECT tenant_id, client_id FROM clients
            WHERE (origin = 'registration' OR (origin = 'metadata_document' AND NOT verified AND status = 'active'))
            AND \(condition)
            ORDER BY tenant_id, client_id LIMIT $1
            """, binds
        ).map { (try $0.uuid("tenant_id"), try $0.string("client_id")) }
    }
}
