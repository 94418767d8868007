import Foundation
import TesseraCore

extension SQLExecutor {
    public func insertPasskey(_ passkey: Passkey) async throws {
        try await execute(
            """
            INSERT INTO passkeys (tenant_id, credential_id, user_id, public_key, algorithm, sign_count,
                backup_eligible, backed_up, transports, aaguid, name, created_at, last_used_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            """,
            [
                .uuid(passkey.tenantID), .bytes(passkey.credentialID), .uuid(passkey.userID), .bytes(passkey.publicKey),
                .int(passkey.algorithm), .int(Int(passkey.signCount)), .bool(passkey.backupEligible),
                .bool(passkey.backedUp), .text(passkey.transports.joined(separator: " ")), .bytes(passkey.aaguid),
                .text(passkey.name), .date(passkey.createdAt), passkey.lastUsedAt.map(SQLValue.date) ?? .null,
            ])
    }

    public func passkeys(tenantID: UUID, userID: UUID) async throws -> [Passkey] {
        try await execute(
            "SELECT * FROM passkeys WHERE tenant_id = $1 AND user_id = $2 ORDER BY created_at, credential_id",
            [.uuid(tenantID), .uuid(userID)]
        ).map(Self.passkey)
    }

    public func passkey(tenantID: UUID, credentialID: [UInt8]) async throws -> Passkey? {
        try await first(
            "SELECT * FROM passkeys WHERE tenant_id = $1 AND credential_id = $2",
            [.uuid(tenantID), .bytes(credentialID)]
        ).map(Self.passkey)
    }

    public func recordPasskeyUse(
        tenantID: UUID, credentialID: [UInt8], signCount: Int64, backedUp: Bool, at date: Date
    ) async throws -> Bool {
        // WebAuthn L3 §7.2 step 22 in one statement: of two uses with the same counter, at one
        // instance or two, one moves it; a counter that does not grow is refused, except that
        // an authenticator keeping none reports 0 every time.
        !(try await execute(
            """
            UPDATE passkeys SET sign_count = $3, backed_up = $4, last_used_at = $5
            WHERE tenant_id = $1 AND credential_id = $2 AND (sign_count < $3 OR (sign_count = 0 AND $3 = 0))
            RETURNING user_id
            """, [.uuid(tenantID), .bytes(credentialID), .int(Int(signCount)), .bool(backedUp), .date(date)]
        ).isEmpty)
    }

    public func deletePasskey(tenantID: UUID, userID: UUID, credentialID: [UInt8]) async throws -> Bool {
        !(try await execute(
            "DELETE FROM passkeys WHERE tenant_id = $1 AND user_id = $2 AND credential_id = $3 RETURNING user_id",
            [.uuid(tenantID), .uuid(userID), .bytes(credentialID)]
        ).isEmpty)
    }

    static func passkey(_ row: SQLRow) throws -> Passkey {
        Passkey(
            tenantID: try row.uuid("tenant_id"), userID: try row.uuid("user_id"),
            credentialID: try row.bytes("credential_id"), publicKey: try row.bytes("public_key"),
            algorithm: try row.int("algorithm"), signCount: Int64(try row.int("sign_count")),
            backupEligible: try row.bool("backup_eligible"), backedUp: try row.bool("backed_up"),
            transports: try row.string("transports").split(separator: " ").map(String.init),
            aaguid: try row.bytes("aaguid"), name: try row.string("name"), createdAt: try row.date("created_at"),
            lastUsedAt: try row.optionalDate("last_used_at"))
    }
}
