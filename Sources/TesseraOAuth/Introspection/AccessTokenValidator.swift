import Foundation
import TesseraCore
import TesseraJOSE
import TesseraStore

/// The one check of an access token this server issued: signature by a verifying key of the
/// tenant named by the issuer, `typ: at+jwt`, times, and not revoked. Introspection, revocation
/// and token exchange all ask it.
public struct AccessTokenValidator: Sendable {
    let revocations: RevocationList
    let leeway: Int
    let clock: @Sendable () -> Date
    /// Takes the DPoP proofs presented with tokens (RFC 9449 §7); without it a DPoP-bound token
    /// is accepted nowhere.
    let dpop: DPoPVerifier?

    public init(
        revocations: RevocationList, leeway: Int = 0, dpop: DPoPVerifier? = nil,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.dpop = dpop
        self.revocations = revocations
        self.leeway = leeway
        self.clock = clock
    }

    /// The claims of a valid, unrevoked token of this tenant, or nil.
    public func validate(_ token: String, tenant: TenantContext) async -> AccessTokenClaims? {
        guard let claims = signedClaims(token, tenant: tenant) else { return nil }
        guard await !revocations.contains(tenantID: tenant.id, jti: claims.jti) else { return nil }
        return claims
    }

    /// Signature, type, issuer and times only; revocation is the caller's to check.
    public func signedClaims(_ token: String, tenant: TenantContext) -> AccessTokenClaims? {
        try? tenant.keys.verify(
            token, as: AccessTokenClaims.self, expectedType: "at+jwt", issuer: tenant.issuer, now: clock(),
            leeway: leeway)
    }
}
