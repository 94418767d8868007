import Foundation
import TesseraCore

extension SQLExecutor {
    public func insertRefreshToken(_ token: RefreshToken) async throws {
        try await execute(
            """
            INSERT INTO refresh_tokens (tenant_id, token_hash, family_id, client_id, user_id, scopes, audience,
                auth_time, created_at, expires_at, idle_expires_at, used_at, revoked_at, jkt, amr, acr)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
            """,
            [
                .uuid(token.tenantID), .bytes(token.tokenHash.bytes), .uuid(token.familyID), .text(token.clientID),
                .uuid(token.userID), .text(token.scopes.description), .audienceList(token.audience),
                .date(token.authTime), .date(token.createdAt), .date(token.expiresAt), .date(token.idleExpiresAt),
                token.usedAt.map(SQLValue.date) ?? .null, token.revokedAt.map(SQLValue.date) ?? .null,
                token.jkt.map(SQLValue.text) ?? .null,
                token.authenticationMethods.isEmpty ? .null : .text(token.authenticationMethods.joined(separator: " ")),
                token.authenticationContext.map(SQLValue.text) ?? .null,
            ])
    }

    public func useRefreshToken(
        tenantID: UUID, tokenHash: SecretHash, clientID: String, at date: Date
    ) async throws -> Redemption<RefreshToken> {
        if let row = try await first(
            """
            UPDATE refresh_tokens SET used_at = $4
            WHERE tenant_id = $1 AND token_hash = $2 AND client_id = $3 AND used_at IS NULL AND revoked_at IS NULL
                AND expires_at > $4 AND idle_expires_at > $4
            RETURNING *
            """, [.uuid(tenantID), .bytes(tokenHash.bytes), .text(clientID), .date(date)])
        {
            return .redeemed(try RefreshToken(row: row))
        }
        // Locked on PostgreSQL: the losers of a race then revoke the family one after another,
        // each starting from the row they all presented. Without it, one that passed here
        // unlocked took the family's other rows first while another held this one (an UPDATE
        // whose re-check failed keeps the row locked), and the two deadlocked (about one race in
        // ten under the 1,000-race test, each costing a retry).
        let lock = dialect == .postgres ? "FOR UPDATE" : ""
        guard
            let token = try await first(
                "SELECT * FROM refresh_tokens WHERE tenant_id = $1 AND token_hash = $2 \(lock)",
                [.uuid(tenantID), .bytes(tokenHash.bytes)]
            ).map(RefreshToken.init(row:)),
            token.clientID == clientID
        else { return .invalid }
        return token.usedAt != nil ? .alreadyUsed(token) : .invalid
    }

    public func touchRefreshToken(
        tenantID: UUID, tokenHash: SecretHash, clientID: String, at date: Date, idleExpiresAt: Date
    ) async throws -> RefreshToken? {
        try await first(
            """
            UPDATE refresh_tokens SET idle_expires_at = CASE WHEN expires_at < $5 THEN expires_at ELSE $5 END
            WHERE tenant_id = $1 AND token_hash = $2 AND client_id = $3 AND used_at IS NULL AND revoked_at IS NULL
                AND expires_at > $4 AND idle_expires_at > $4
            RETURNING *
            """,
            [.uuid(tenantID), .bytes(tokenHash.bytes), .text(clientID), .date(date), .date(idleExpiresAt)]
        ).map(RefreshToken.init(row:))
    }

    public func refreshToken(tenantID: UUID, tokenHash: SecretHash) async throws -> RefreshToken? {
        try await first(
            "SELECT * FROM refresh_tokens WHERE tenant_id = $1 AND token_hash = $2",
            [.uuid(tenantID), .bytes(tokenHash.bytes)]
        ).map(RefreshToken.init(row:))
    }

    @discardableResult
    public func revokeRefreshFamily(tenantID: UUID, familyID: UUID, at date: Date) async throws -> Int {
        try await revokeRefreshTokens(where: "family_id = $3", .uuid(familyID), tenantID: tenantID, at: date)
    }

    public func revokeRefreshTokens(tenantID: UUID, userID: UUID, clientID: String, at date: Date) async throws -> Int {
        try await revokeRefreshTokens(
            where: "user_id = $3 AND client_id = $4", .uuid(userID), .text(clientID), tenantID: tenantID, at: date)
    }

    public func revokeRefreshTokens(tenantID: UUID, clientID: String, at date: Date) async throws -> Int {
        try await revokeRefreshTokens(where: "client_id = $3", .text(clientID), tenantID: tenantID, at: date)
    }

    /// The one revocation statement: the tenant's unrevoked tokens matching `condition` (binds
    /// from $3). Revoking also ends the rows' life (expires_at), so the purge, which walks the
    /// expiry index, removes them at its next round: a revoked token is refused whether its row
    /// exists or not.
    ///
    /// Concurrent revocations meet on the same rows (every loser of a refresh race revokes the
    /// family at once), so each takes its locks in one order: token rows by hash (locked
    /// `FOR UPDATE` after sorting), then families and their access-token ids sorted. Two
    /// revocations then wait for one another instead of deadlocking.
    private func revokeRefreshTokens(
        where condition: String, _ binds: SQLValue..., tenantID: UUID, at date: Date
    ) async throws -> Int {
        let lockInOrder = dialect == .postgres ? "ORDER BY token_hash FOR UPDATE" : ""
        let revoked = try await execute(
            """
            UPDATE refresh_tokens SET revoked_at = $2, expires_at = CASE WHEN expires_at > $2 THEN $2 ELSE expires_at END
            WHERE (tenant_id, token_hash) IN (
                SELECT tenant_id, token_hash FROM refresh_tokens
                WHERE tenant_id = $1 AND \(condition) AND revoked_at IS NULL \(lockInOrder)
            ) RETURNING family_id
            """, [.uuid(tenantID), .date(date)] + binds)
        for family in Set(try revoked.map { try $0.uuid("family_id") }).sorted(by: { $0.uuidString < $1.uuidString }) {
            try await revokeAccessTokens(ofFamily: family, tenantID: tenantID, at: date)
        }
        return revoked.count
    }

    public func recordFamilyAccessToken(tenantID: UUID, familyID: UUID, jti: String, expiresAt: Date) async throws {
        try await execute(
            "INSERT INTO family_access_tokens (tenant_id, family_id, jti, expires_at) VALUES ($1, $2, $3, $4)",
            [.uuid(tenantID), .uuid(familyID), .text(jti), .date(expiresAt)])
    }

    /// The family's unexpired access tokens join the revocation list, each with a change-feed
    /// entry so every instance refuses them (at once here on PostgreSQL's notification, within
    /// a poll on SQLite). One already revoked stays as it was.
    private func revokeAccessTokens(ofFamily family: UUID, tenantID: UUID, at date: Date) async throws {
        let jtis = try await execute(
            """
            INSERT INTO revoked_tokens (tenant_id, jti, expires_at, revoked_at)
            SELECT tenant_id, jti, expires_at, $3 FROM family_access_tokens
            WHERE tenant_id = $1 AND family_id = $2 AND expires_at > $3 ORDER BY jti
            ON CONFLICT DO NOTHING RETURNING jti
            """, [.uuid(tenantID), .uuid(family), .date(date)])
        for row in jtis {
            try await recordChange(
                Change(tenantID: tenantID, kind: .revokedToken, subject: try row.string("jti"), changedAt: date))
        }
    }
}

extension RefreshToken {
    init(row: SQLRow) throws {
        self.init(
            tenantID: try row.uuid("tenant_id"), tokenHash: SecretHash(bytes: try row.bytes("token_hash")),
            familyID: try row.uuid("family_id"), clientID: try row.string("client_id"),
            userID: try row.uuid("user_id"), scopes: try row.scopeSet("scopes"),
            audience: try row.audienceList("audience"), authTime: try row.date("auth_time"),
            createdAt: try row.date("created_at"), expiresAt: try row.date("expires_at"),
            idleExpiresAt: try row.date("idle_expires_at"), usedAt: try row.optionalDate("used_at"),
            revokedAt: try row.optionalDate("revoked_at"), jkt: try row.optionalString("jkt"))
        authenticationMethods = try row.optionalString("amr").map { $0.split(separator: " ").map(String.init) } ?? []
        authenticationContext = try row.optionalString("acr")
    }
}
