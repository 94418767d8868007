import Foundation
import TesseraCore

extension SQLExecutor {
    public func insertRegistrationToken(_ token: RegistrationToken) async throws {
        try await execute(
            """
            INSERT INTO registration_tokens (tenant_id, id, token_hash, uses_left, expires_at, created_at, created_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """,
            [
                .uuid(token.tenantID), .uuid(token.id), .bytes(token.tokenHash.bytes),
                token.usesLeft.map(SQLValue.int) ?? .null, .date(token.expiresAt), .date(token.createdAt),
                .text(token.createdBy),
            ])
    }

    public func registrationTokens(tenantID: UUID) async throws -> [RegistrationToken] {
        try await execute(
            "SELECT * FROM registration_tokens WHERE tenant_id = $1 ORDER BY created_at DESC, id",
            [.uuid(tenantID)]
        ).map(RegistrationToken.init(row:))
    }

    public func deleteRegistrationToken(tenantID: UUID, id: UUID) async throws -> Bool {
        !(try await execute(
            "DELETE FROM registration_tokens WHERE tenant_id = $1 AND id = $2 RETURNING id",
            [.uuid(tenantID), .uuid(id)]
        ).isEmpty)
    }

    public func spendRegistrationToken(tenantID: UUID, tokenHash: SecretHash, at date: Date) async throws -> Bool {
        !(try await execute(
            """
            UPDATE registration_tokens SET uses_left = uses_left - 1
            WHERE tenant_id = $1 AND token_hash = $2 AND expires_at > $3 AND (uses_left IS NULL OR uses_left > 0)
            RETURNING id
            """, [.uuid(tenantID), .bytes(tokenHash.bytes), .date(date)]
        ).isEmpty)
    }

    public func registrationPolicy(tenantID: UUID) async throws -> RegistrationPolicy? {
        guard let row = try await first("SELECT * FROM registration_policies WHERE tenant_id = $1", [.uuid(tenantID)])
        else { return nil }
        var policy = try row.json(RegistrationPolicy.self, "policy")
        policy.version = try row.int("version")
        policy.updatedAt = try row.date("updated_at")
        return policy
    }

    public func saveRegistrationPolicy(_ policy: RegistrationPolicy, tenantID: UUID) async throws {
        let updatedAt = policy.updatedAt ?? Date()
        let rows: [SQLRow]
        if policy.version == 1 {
            rows = try await execute(
                """
                INSERT INTO registration_policies (tenant_id, policy, version, updated_at) VALUES ($1, $2, 1, $3)
                ON CONFLICT (tenant_id) DO NOTHING RETURNING tenant_id
                """, [.uuid(tenantID), SQLJSON.encode(policy), .date(updatedAt)])
        } else {
            rows = try await execute(
                """
                UPDATE registration_policies SET policy = $2, version = $3, updated_at = $4
                WHERE tenant_id = $1 AND version = $5 RETURNING tenant_id
                """,
                [
                    .uuid(tenantID), SQLJSON.encode(policy), .int(policy.version), .date(updatedAt),
                    .int(policy.version - 1),
                ])
        }
        guard !rows.isEmpty else {
            throw StoreError.conflict("the registration policy was changed since version \(policy.version - 1)")
        }
    }
}

extension RegistrationToken {
    init(row: SQLRow) throws {
        self.init(
            tenantID: try row.uuid("tenant_id"), id: try row.uuid("id"),
            tokenHash: SecretHash(bytes: try row.bytes("token_hash")), usesLeft: try row.optionalInt("uses_left"),
            expiresAt: try row.date("expires_at"), createdAt: try row.date("created_at"),
            createdBy: try row.string("created_by"))
    }
}
