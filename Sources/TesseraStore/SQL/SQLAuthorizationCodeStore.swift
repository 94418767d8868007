import Foundation
import TesseraCore

extension SQLExecutor {
    public func insertAuthorizationCode(_ code: AuthorizationCode) async throws {
        try await execute(
            """
            INSERT INTO authorization_codes (tenant_id, code_hash, client_id, user_id, redirect_uri, scopes, audience,
                code_challenge, nonce, auth_time, created_at, expires_at, dpop_jkt, amr, acr, session_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
            """,
            [
                .uuid(code.tenantID), .bytes(code.codeHash.bytes), .text(code.clientID), .uuid(code.userID),
                .text(code.redirectURI), .text(code.scopes.description), .audienceList(code.audience),
                .text(code.codeChallenge), code.nonce.map(SQLValue.text) ?? .null, .date(code.authTime),
                .date(code.createdAt), .date(code.expiresAt), code.dpopJKT.map(SQLValue.text) ?? .null,
                code.authenticationMethods.isEmpty ? .null : .text(code.authenticationMethods.joined(separator: " ")),
                code.authenticationContext.map(SQLValue.text) ?? .null, code.sessionID.map(SQLValue.text) ?? .null,
            ])
    }

    public func redeemAuthorizationCode(
        tenantID: UUID, codeHash: SecretHash, clientID: String, at date: Date
    ) async throws -> Redemption<AuthorizationCode> {
        // One statement decides the winner: PostgreSQL re-checks `used_at IS NULL` after waiting
        // for a concurrent redeemer's row lock; SQLite runs one writer at a time.
        if let row = try await first(
            """
            UPDATE authorization_codes SET used_at = $4
            WHERE tenant_id = $1 AND code_hash = $2 AND client_id = $3 AND used_at IS NULL AND expires_at > $4
            RETURNING *
            """, [.uuid(tenantID), .bytes(codeHash.bytes), .text(clientID), .date(date)])
        {
            return .redeemed(try AuthorizationCode(row: row))
        }
        guard
            let row = try await first(
                "SELECT * FROM authorization_codes WHERE tenant_id = $1 AND code_hash = $2",
                [.uuid(tenantID), .bytes(codeHash.bytes)])
        else { return .invalid }
        let code = try AuthorizationCode(row: row)
        // A replay counts whoever presents it: the code leaked either way.
        return code.usedAt == nil ? .invalid : .alreadyUsed(code)
    }

    public func recordCodeIssue(tenantID: UUID, codeHash: SecretHash, familyID: UUID?, jti: String) async throws {
        try await execute(
            "UPDATE authorization_codes SET family_id = $3, issued_jti = $4 WHERE tenant_id = $1 AND code_hash = $2",
            [.uuid(tenantID), .bytes(codeHash.bytes), familyID.map(SQLValue.uuid) ?? .null, .text(jti)])
    }
}

extension AuthorizationCode {
    init(row: SQLRow) throws {
        try self.init(fields: row)
        sessionID = try row.optionalString("session_id")
    }

    private init(fields row: SQLRow) throws {
        self.init(
            tenantID: try row.uuid("tenant_id"), codeHash: SecretHash(bytes: try row.bytes("code_hash")),
            clientID: try row.string("client_id"), userID: try row.uuid("user_id"),
            redirectURI: try row.string("redirect_uri"), scopes: try row.scopeSet("scopes"),
            audience: try row.audienceList("audience"), codeChallenge: try row.string("code_challenge"),
            nonce: try row.optionalString("nonce"), authTime: try row.date("auth_time"),
            createdAt: try row.date("created_at"), expiresAt: try row.date("expires_at"),
            usedAt: try row.optionalDate("used_at"), familyID: try row.optionalUUID("family_id"),
            issuedJTI: try row.optionalString("issued_jti"), dpopJKT: try row.optionalString("dpop_jkt"),
            authenticationMethods: try row.optionalString("amr").map { $0.split(separator: " ").map(String.init) }
                ?? [],
            authenticationContext: try row.optionalString("acr"))
    }
}
