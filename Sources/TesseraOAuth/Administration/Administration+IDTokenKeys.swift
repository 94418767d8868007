import Foundation
import TesseraCore
import TesseraJOSE
import TesseraStore

// A client's `id_token_signed_response_alg` (OIDC Dynamic Client Registration 1.0 §2), read and
// made signable: the tenant's ID-token line of that algorithm exists before the client does.

extension Administration {
    /// The algorithm an admin named, for a client of `tenant`. FAPI 2.0 §5.4.1 forbids
    /// RSASSA-PKCS1-v1_5, so RS256 is refused at a tenant under `security_profile = fapi2`.
    static func idTokenAlgorithm(_ name: String, in tenant: Tenant) throws(ValidationError) -> SigningAlgorithm {
        let algorithm = try SigningAlgorithm(idTokenAlgorithm: name)
        if tenant.settings.securityProfile == .fapi2, algorithm == .rs256 {
            throw ValidationError(
                field: "id_token_signed_response_alg", "FAPI 2.0 (§5.4.1) signs with ES256 or Ed25519, not RS256")
        }
        return algorithm
    }

    /// Makes sure the tenant has an ID-token line of `algorithm`, so a client registered for it
    /// gets its ID tokens from the first request on (docs/id-token-signing.md).
    ///
    /// Off the token path: only a client's creation or update comes here. The keys are generated
    /// outside any transaction (RSA takes a while), then inserted with their audit line and a
    /// change-feed entry, so every instance loads them within a second. Two instances provisioning
    /// the same line at once cannot both succeed: the store's unique index allows one `current`
    /// key per line, the loser's insert is a conflict, and the line the winner made is used.
    func provisionIDTokenLine(
        _ algorithm: SigningAlgorithm?, in tenant: Tenant, actor: String, requestID: String?
    ) async throws {
        guard let algorithm else { return }
        let line = KeyLine.idToken(algorithm)
        guard try await !store.signingKeys(tenantID: tenant.id).contains(where: { $0.line == line }) else { return }
        let now = clock()
        let plan = try keyProvisioner.idTokenLine(tenant, algorithm: algorithm, now: now)
        let record = KeyManagement.auditRecord(plan, action: .keyProvision, target: nil)
        do {
            try await store.audited(
                AuditedChange(
                    tenantID: tenant.id, actor: actor, requestID: requestID, at: now, records: [record],
                    feed: (.keys, ""))
            ) { operations in try await KeyManagement.write(plan, operations: operations) }
        } catch StoreError.conflict {
            // Another instance provisioned the line first; it is there now, or this is a real conflict.
            guard try await store.signingKeys(tenantID: tenant.id).contains(where: { $0.line == line }) else {
                throw StoreError.conflict("tenant '\(tenant.slug)' keys changed concurrently; try again")
            }
        }
    }
}
