import Foundation
import TesseraCore

extension SQLExecutor {
    public func insertRevokedToken(_ token: RevokedToken) async throws {
        // Revoking twice is not an error (RFC 7009 §2.2): the first record stands.
        try await execute(
            """
            INSERT INTO revoked_tokens (tenant_id, jti, expires_at, revoked_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (tenant_id, jti) DO NOTHING
            """,
            [.uuid(token.tenantID), .text(token.jti), .date(token.expiresAt), .date(token.revokedAt)])
    }

    public func revokedTokens(expiringAfter date: Date) async throws -> [RevokedToken] {
        try await execute("SELECT * FROM revoked_tokens WHERE expires_at > $1", [.date(date)]).map {
            RevokedToken(
                tenantID: try $0.uuid("tenant_id"), jti: try $0.string("jti"), expiresAt: try $0.date("expires_at"),
                revokedAt: try $0.date("revoked_at"))
        }
    }

    public func revokedToken(tenantID: UUID, jti: String) async throws -> RevokedToken? {
        try await first(
            "SELECT * FROM revoked_tokens WHERE tenant_id = $1 AND jti = $2", [.uuid(tenantID), .text(jti)]
        )
        .map {
            RevokedToken(
                tenantID: try $0.uuid("tenant_id"), jti: try $0.string("jti"),
                expiresAt: try $0.date("expires_at"), revokedAt: try $0.date("revoked_at"))
        }
    }
}
