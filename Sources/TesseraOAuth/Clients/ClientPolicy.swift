import TesseraCore
import TesseraJOSE

/// What requests of one client at one tenant must satisfy: what the client registered
/// (`ClientRequirements`), and what the tenant's `security_profile` and settings add for every
/// client. Every endpoint asks this, so a rule of the FAPI 2.0 profile lives in one place.
public struct ClientPolicy: Sendable {
    let client: Client
    let tenant: TenantContext

    init(_ client: Client, at tenant: TenantContext) {
        self.client = client
        self.tenant = tenant
    }

    var isFAPI2: Bool { tenant.settings.securityProfile == .fapi2 }

    /// RFC 9126 §5 and §6; FAPI 2.0 §5.3.2.2 item 1: authorization requests only by `request_uri`.
    var requiresPushedRequests: Bool {
        client.requirements.pushedAuthorizationRequests || tenant.settings.requirePushedAuthorizationRequests
            || isFAPI2
    }

    /// RFC 9101 §10.5.
    var requiresSignedRequestObject: Bool { client.requirements.signedRequestObject }

    /// RFC 9449 §5.2, and FAPI 2.0 §5.3.2.1 item 2 (every access token sender-constrained: by
    /// DPoP, unless the client's tokens are bound to its certificate).
    var requiresDPoP: Bool { client.requirements.dpopBoundAccessTokens || (isFAPI2 && !bindsToCertificate) }

    /// RFC 8705 §3.4 `tls_client_certificate_bound_access_tokens`; under FAPI 2.0 a client that
    /// authenticates by mutual TLS is sender-constrained by it too (§5.3.2.1 item 2).
    var bindsToCertificate: Bool {
        client.requirements.certificateBoundAccessTokens || (isFAPI2 && client.authMethod.usesCertificate)
    }

    /// As the client registered it, or the default rule (`RefreshTokenRotation.default(for:)`),
    /// where under FAPI 2.0 every confidential client's tokens are sender-constrained (§5.3.2.1:
    /// "shall not use refresh token rotation except in extraordinary circumstances").
    var refreshTokenRotation: RefreshTokenRotation {
        if let registered = client.requirements.refreshTokenRotation { return registered }
        return isFAPI2 && !client.isPublic ? .reuse : .default(for: client)
    }

    /// OIDC Registration §2 `id_token_signed_response_alg`, as registered (nil: the tenant's main
    /// keys). A tenant that switched to FAPI 2.0 after an RS256 client registered refuses to
    /// sign for it (§5.4.1 forbids RSASSA-PKCS1-v1_5) rather than sign with an algorithm the
    /// client does not expect.
    func idTokenAlgorithm() throws(OAuthError) -> SigningAlgorithm? {
        let registered = client.requirements.idTokenSigningAlgorithm
        if isFAPI2, registered == .rs256 {
            throw .unauthorizedClient(
                "FAPI 2.0 (§5.4.1) forbids RS256 ID tokens; register id_token_signed_response_alg ES256 or Ed25519")
        }
        return registered
    }

    /// FAPI 2.0 §5.4.1: PS256, ES256 or EdDSA (Ed25519); otherwise every asymmetric algorithm.
    static let fapi2Algorithms: [JWSAlgorithm] = [.ps256, .es256, .ed25519, .edDSA]

    /// What clients of a tenant with `settings` may sign assertions, proofs and request objects
    /// with: the one rule the checks and the metadata both read.
    public static func signingAlgorithms(_ settings: TenantSettings) -> [JWSAlgorithm] {
        settings.securityProfile == .fapi2 ? fapi2Algorithms : JWSAlgorithm.allCases
    }
}

extension TenantContext {
    /// What clients may sign assertions, proofs and request objects with (FAPI 2.0 §5.4.1).
    var proofAlgorithms: [JWSAlgorithm] { ClientPolicy.signingAlgorithms(settings) }

    /// FAPI 2.0 §5.3.2.1 item 2: confidential clients only; §5.3.2.1 item 4: authenticated by
    /// `private_key_jwt` (or mutual TLS). Nil: every method the client registered.
    var allowedAuthenticationMethods: Set<ClientAuthMethod>? {
        settings.securityProfile == .fapi2 ? [.privateKeyJWT, .tlsClientAuth, .selfSignedTLSClientAuth] : nil
    }

    /// The `aud` values a client assertion may name at an endpoint whose own URL is `endpoint`:
    /// RFC 7523 §3 item 3 lets it be the endpoint or the issuer; FAPI 2.0 §5.3.2.1 item 8 wants
    /// the issuer alone (an assertion for one server's token endpoint is then useless at another).
    func assertionAudiences(endpoint: String) -> [String] {
        settings.securityProfile == .fapi2 ? [issuer] : [endpoint, issuer]
    }
}
