/// The rules a tenant holds every client to, beyond what each client registered.
///
/// `fapi2` is the FAPI 2.0 Security Profile (final, §5): authorization requests through PAR only,
/// PKCE with S256, every access token sender-constrained (DPoP or mutual TLS), confidential
/// clients only with `private_key_jwt` or mutual TLS, client assertions addressed to the issuer
/// exactly, `iss` in every authorization response, codes valid at most 60 s, and PS256, ES256 or
/// EdDSA signatures only. docs/fapi2.md lists each rule with the check that holds it.
public enum SecurityProfile: String, Sendable, Codable, CaseIterable {
    case `default`
    case fapi2

    /// FAPI 2.0 Security Profile §5.3.2.1 item 14: "shall not use authorization codes valid for
    /// more than 60 seconds".
    public static let fapi2MaximumCodeLifetime = 60
}

/// Second factors at sign-in (INTERFACE.md `mfa`): `off` asks for none and offers none;
/// `optional` asks users who enrolled one; `required` also makes users without one enrol at
/// their next sign-in, before it completes.
public enum MFAPolicy: String, Sendable, Codable, CaseIterable {
    case off
    case optional
    case required
}

/// Whether DPoP proofs must carry a server nonce (RFC 9449 §8). Nonces bound how long a proof
/// made ahead of time stays usable (§11.2); clients then learn the nonce from the first
/// `use_dpop_nonce` answer and every later answer's `DPoP-Nonce` header.
public enum DPoPNoncePolicy: String, Sendable, Codable, CaseIterable {
    case off
    case required
}

/// What a passkey must prove beyond possession (WebAuthn L3 §5.8.6 `userVerification`):
/// `required` (a PIN or biometric at the authenticator, so one passkey is two factors),
/// `preferred` (asked for, not insisted on), `discouraged` (presence only, for shared kiosks).
public enum PasskeyUserVerification: String, Sendable, Codable, CaseIterable {
    case required
    case preferred
    case discouraged
}
