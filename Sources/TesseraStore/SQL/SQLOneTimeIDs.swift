import Foundation
import TesseraCore

// Ids of one-shot proofs that must be accepted once: `private_key_jwt` assertions (RFC 7523 §3
// item 7), DPoP proofs (RFC 9449 §11.1) and WebAuthn challenges (WebAuthn L3 §13.4.3). The primary key refuses a second use, at every
// instance; `purgeExpired` removes the rows once nothing they guard can still be accepted.

extension SQLExecutor {
    public func recordClientAssertion(tenantID: UUID, clientID: String, jti: String, expiresAt: Date) async throws {
        try await recordOnce(in: "client_assertions", by: "client_id", tenantID, clientID, jti, expiresAt)
    }

    public func recordDPoPProof(tenantID: UUID, jkt: String, jti: String, expiresAt: Date) async throws {
        try await recordOnce(in: "dpop_proofs", by: "jkt", tenantID, jkt, jti, expiresAt)
    }

    public func recordWebAuthnChallenge(tenantID: UUID, ceremony: String, id: String, expiresAt: Date) async throws {
        try await recordOnce(in: "webauthn_challenges", by: "ceremony", tenantID, ceremony, id, expiresAt)
    }

    /// A duplicate is the backend's unique violation, reported as `StoreError.conflict`.
    private func recordOnce(
        in table: String, by issuerColumn: String, _ tenantID: UUID, _ issuer: String, _ jti: String,
        _ expiresAt: Date
    ) async throws {
        try await execute(
            "INSERT INTO \(table) (tenant_id, \(issuerColumn), jti, expires_at) VALUES ($1, $2, $3, $4)",
            [.uuid(tenantID), .text(issuer), .text(jti), .date(expiresAt)])
    }
}
