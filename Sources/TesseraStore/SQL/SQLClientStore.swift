import Foundation
import TesseraCore

extension SQLExecutor {
    public func insertClient(_ client: Client) async throws {
        try await execute(
            """
            INSERT INTO clients (tenant_id, client_id, name, auth_method, secret_hash, jwks, grant_types, scopes,
                redirect_uris, audiences, access_token_ttl, requirements, status, version, post_logout_redirect_uris,
                created_at, updated_at, backchannel_logout)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
            """,
            [.uuid(client.tenantID), .text(client.id)] + client.mutableColumns + [
                .date(client.createdAt), .date(client.updatedAt), client.backchannelLogoutColumn,
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
                version = $14, post_logout_redirect_uris = $15, updated_at = $16, backchannel_logout = $18
            WHERE tenant_id = $1 AND client_id = $2 AND version = $17
            RETURNING client_id
            """,
            [.uuid(client.tenantID), .text(client.id)] + client.mutableColumns
                + [.date(client.updatedAt), .int(client.version - 1), client.backchannelLogoutColumn])
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

    /// OIDC Back-Channel Logout §2.2 registration, a JSON object; null when none.
    fileprivate var backchannelLogoutColumn: SQLValue {
        backchannelLogout.map(SQLJSON.encode) ?? .null
    }

    init(row: SQLRow) throws {
        try self.init(columns: row)
        if try row.optionalString("backchannel_logout") != nil {
            backchannelLogout = try row.json(BackChannelLogout.self, "backchannel_logout")
        }
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
