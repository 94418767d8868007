import Foundation
import TesseraCore

extension SQLExecutor {
    public func saveTOTP(_ factor: TOTPFactor) async throws {
        // One factor per user: enrolling again replaces the old secret.
        _ = try await execute(
            "DELETE FROM user_totp WHERE tenant_id = $1 AND user_id = $2 RETURNING user_id",
            [.uuid(factor.tenantID), .uuid(factor.userID)])
        try await execute(
            """
            INSERT INTO user_totp (tenant_id, user_id, secret, confirmed_at, last_step, created_at)
            VALUES ($1, $2, $3, $4, $5, $6)
            """,
            [
                .uuid(factor.tenantID), .uuid(factor.userID), .bytes(factor.sealedSecret),
                factor.confirmedAt.map(SQLValue.date) ?? .null, factor.lastStep.map { .int(Int($0)) } ?? .null,
                .date(factor.createdAt),
            ])
    }

    public func totp(tenantID: UUID, userID: UUID) async throws -> TOTPFactor? {
        try await first(
            "SELECT * FROM user_totp WHERE tenant_id = $1 AND user_id = $2", [.uuid(tenantID), .uuid(userID)]
        ).map(TOTPFactor.init(row:))
    }

    public func totpFactors(tenantID: UUID, after userID: UUID?, limit: Int) async throws -> [TOTPFactor] {
        // user_id is compared as text: SQLite keeps uuids as text, PostgreSQL as uuid.
        try await execute(
            """
            SELECT * FROM user_totp WHERE tenant_id = $1 AND CAST(user_id AS TEXT) > $2
            ORDER BY CAST(user_id AS TEXT) LIMIT $3
            """, [.uuid(tenantID), .text(userID?.uuidString.lowercased() ?? ""), .int(limit)]
        ).map(TOTPFactor.init(row:))
    }

    public func resealTOTP(tenantID: UUID, userID: UUID, from old: [UInt8], to new: [UInt8]) async throws -> Bool {
        try await !execute(
            "UPDATE user_totp SET secret = $4 WHERE tenant_id = $1 AND user_id = $2 AND secret = $3 RETURNING user_id",
            [.uuid(tenantID), .uuid(userID), .bytes(old), .bytes(new)]
        ).isEmpty
    }

    public func acceptTOTPStep(tenantID: UUID, userID: UUID, step: Int64) async throws -> Bool {
        // One statement decides: of two instances taking the same code at once, one moves the step.
        !(try await execute(
            """
            UPDATE user_totp SET last_step = $3
            WHERE tenant_id = $1 AND user_id = $2 AND (last_step IS NULL OR last_step < $3)
            RETURNING user_id
            """, [.uuid(tenantID), .uuid(userID), .int(Int(step))]
        ).isEmpty)
    }

    public func deleteTOTP(tenantID: UUID, userID: UUID) async throws -> Bool {
        !(try await execute(
            "DELETE FROM user_totp WHERE tenant_id = $1 AND user_id = $2 RETURNING user_id",
            [.uuid(tenantID), .uuid(userID)]
        ).isEmpty)
    }

    public func replaceRecoveryCodes(tenantID: UUID, userID: UUID, hashes: [SecretHash]) async throws {
        _ = try await execute(
            "DELETE FROM recovery_codes WHERE tenant_id = $1 AND user_id = $2 RETURNING user_id",
            [.uuid(tenantID), .uuid(userID)])
        for hash in hashes {
            try await execute(
                "INSERT INTO recovery_codes (tenant_id, user_id, code_hash) VALUES ($1, $2, $3)",
                [.uuid(tenantID), .uuid(userID), .bytes(hash.bytes)])
        }
    }

    public func spendRecoveryCode(tenantID: UUID, userID: UUID, hash: SecretHash, at date: Date) async throws -> Bool {
        !(try await execute(
            """
            UPDATE recovery_codes SET used_at = $4
            WHERE tenant_id = $1 AND user_id = $2 AND code_hash = $3 AND used_at IS NULL
            RETURNING user_id
            """, [.uuid(tenantID), .uuid(userID), .bytes(hash.bytes), .date(date)]
        ).isEmpty)
    }
}

extension TOTPFactor {
    init(row: SQLRow) throws {
        self.init(
            tenantID: try row.uuid("tenant_id"), userID: try row.uuid("user_id"),
            sealedSecret: try row.bytes("secret"), confirmedAt: try row.optionalDate("confirmed_at"),
            lastStep: try row.optionalInt("last_step").map(Int64.init), createdAt: try row.date("created_at"))
    }
}
