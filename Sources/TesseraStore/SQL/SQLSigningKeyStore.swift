import Foundation
import TesseraCore

extension SQLExecutor {
    public func insertSigningKey(_ key: SigningKeyRecord) async throws {
        try await execute(
            """
            INSERT INTO signing_keys (tenant_id, kid, algorithm, state, public_jwk, private_key, created_at,
                activated_at, deactivated_at, retire_after, ended_at, line)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            """,
            [
                .uuid(key.tenantID), .text(key.kid), .text(key.algorithm.rawValue), .text(key.state.rawValue),
                .text(key.publicJWK), key.sealedPrivateKey.map(SQLValue.bytes) ?? .null, .date(key.createdAt),
                key.activatedAt.map(SQLValue.date) ?? .null, key.deactivatedAt.map(SQLValue.date) ?? .null,
                key.retireAfter.map(SQLValue.date) ?? .null, key.endedAt.map(SQLValue.date) ?? .null,
                .text(key.line.storedName),
            ])
    }

    public func signingKeys(tenantID: UUID) async throws -> [SigningKeyRecord] {
        try await execute(
            "SELECT * FROM signing_keys WHERE tenant_id = $1 ORDER BY created_at, kid", [.uuid(tenantID)]
        ).map(SigningKeyRecord.init(row:))
    }

    public func signingKeys(inStates states: [KeyState]) async throws -> [SigningKeyRecord] {
        guard !states.isEmpty else { return [] }
        let placeholders = states.indices.map { "$\($0 + 1)" }.joined(separator: ", ")
        return try await execute(
            "SELECT * FROM signing_keys WHERE state IN (\(placeholders)) ORDER BY tenant_id, created_at, kid",
            states.map { .text($0.rawValue) }
        ).map(SigningKeyRecord.init(row:))
    }

    public func signingKeys(tenantIDs: [UUID]) async throws -> [SigningKeyRecord] {
        guard !tenantIDs.isEmpty else { return [] }
        let placeholders = tenantIDs.indices.map { "$\($0 + 1)" }.joined(separator: ", ")
        return try await execute(
            "SELECT * FROM signing_keys WHERE tenant_id IN (\(placeholders)) ORDER BY tenant_id, created_at, kid",
            tenantIDs.map(SQLValue.uuid)
        ).map(SigningKeyRecord.init(row:))
    }

    public func updateSigningKey(_ key: SigningKeyRecord, expectedState: KeyState) async throws {
        let rows = try await execute(
            """
            UPDATE signing_keys SET state = $3, private_key = $4, activated_at = $5, deactivated_at = $6,
                retire_after = $7, ended_at = $8
            WHERE tenant_id = $1 AND kid = $2 AND state = $9
            RETURNING kid
            """,
            [
                .uuid(key.tenantID), .text(key.kid), .text(key.state.rawValue),
                key.sealedPrivateKey.map(SQLValue.bytes) ?? .null, key.activatedAt.map(SQLValue.date) ?? .null,
                key.deactivatedAt.map(SQLValue.date) ?? .null, key.retireAfter.map(SQLValue.date) ?? .null,
                key.endedAt.map(SQLValue.date) ?? .null, .text(expectedState.rawValue),
            ])
        guard !rows.isEmpty else {
            throw StoreError.conflict("key \(key.kid) is no longer \(expectedState.rawValue)")
        }
    }
}

extension SigningKeyRecord {
    init(row: SQLRow) throws {
        let kid = try row.string("kid")
        guard let algorithm = SigningAlgorithm(rawValue: try row.string("algorithm")),
            let state = KeyState(rawValue: try row.string("state")),
            let line = KeyLine(storedName: try row.string("line"))
        else { throw StoreError.corrupt("signing key \(kid)") }
        self.init(
            tenantID: try row.uuid("tenant_id"), kid: kid, algorithm: algorithm, state: state,
            publicJWK: try row.string("public_jwk"), sealedPrivateKey: try row.optionalBytes("private_key"),
            createdAt: try row.date("created_at"), activatedAt: try row.optionalDate("activated_at"),
            deactivatedAt: try row.optionalDate("deactivated_at"), retireAfter: try row.optionalDate("retire_after"),
            endedAt: try row.optionalDate("ended_at"), line: line)
    }
}
