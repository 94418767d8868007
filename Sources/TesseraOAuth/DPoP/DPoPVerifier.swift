import Foundation
import TesseraCore
import TesseraStore

/// The server's one way to take a DPoP proof, at the token endpoint and at its own resources:
/// checked as RFC 9449 §4.3 lists, with the tenant's nonce when its `dpop_nonce` setting requires
/// one (§8, §9), and accepted once at any instance (§11.1).
public struct DPoPVerifier: Sendable {
    let proofs: any DPoPProofStore
    let nonces: DPoPNonces
    let clock: @Sendable () -> Date

    public init(proofs: any DPoPProofStore, nonces: DPoPNonces, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.proofs = proofs
        self.nonces = nonces
        self.clock = clock
    }

    /// The proof among `headers` for `request`, or `invalid_dpop_proof`, or `use_dpop_nonce`
    /// carrying the nonce to retry with. Only a proof that passed every check is recorded, so a
    /// refused one can be corrected and sent again.
    public func verify(
        _ headers: [String], for request: DPoPProof.Request, tenant: TenantContext
    ) async throws(OAuthError) -> DPoPProof {
        let now = clock()
        let proof = try await DPoPProof.verify(
            headers: headers, request: request, now: now, algorithms: tenant.proofAlgorithms,
            nonce: nonceCheck(for: tenant, at: now))
        try await proofs.accept(proof, tenantID: tenant.id)
        return proof
    }

    /// §8.2: the nonce to hand out with an answer, so a client keeps up as nonces rotate; nil
    /// when the tenant does not require nonces.
    public func currentNonce(for tenant: TenantContext) -> String? {
        nonceCheck(for: tenant, at: clock())?.current
    }

    func nonceCheck(for tenant: TenantContext, at now: Date) -> DPoPNonces.Check? {
        tenant.settings.dpopNonce == .required ? nonces.check(for: tenant.id, at: now) : nil
    }
}
