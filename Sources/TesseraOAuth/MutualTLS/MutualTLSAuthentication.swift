import Foundation

/// The two client authentication methods of RFC 8705 §2, as checks of a presented certificate
/// against what the client registered. The token endpoint decides which applies from the
/// client's `token_endpoint_auth_method`; both end in `invalid_client` when they fail.
///
/// Where the trust comes from: Tessera does not see the TLS handshake. A TLS-terminating proxy
/// requests the client certificate, checks that the client holds its private key (the handshake
/// does), and forwards it in the RFC 9440 `Client-Cert` header, which Tessera takes only from
/// `TrustedProxies`. For `tls_client_auth` (§2.1) the certificate chain is verified by the proxy
/// against its configured trust anchors (nginx: `ssl_client_certificate`): the trust anchors are
/// the proxy's configuration, not Tessera's. Since `self_signed_tls_client_auth` (§2.2) needs the
/// proxy to let certificates through that chain to no anchor, the proxy forwards a certificate
/// only when its chain verified or when it is self-issued (docs/mutual-tls.md), and
/// `tls_client_auth` refuses a self-issued certificate: whatever a self-issued certificate says
/// about its subject, no anchor vouched for it.
public enum MutualTLSAuthentication {
    /// RFC 8705 §2.1 `tls_client_auth`: a certificate the proxy chain-verified, within its
    /// validity period, whose subject DN or subject alternative name matches the registration.
    public static func verifyPKI(
        _ certificate: ClientCertificate, identity: CertificateIdentity, now: Date
    ) throws(OAuthError) {
        try checkValidity(certificate, now: now)
        guard !certificate.isSelfIssued else {
            throw .invalidClient("tls_client_auth takes a certificate issued by a trusted CA, not a self-issued one")
        }
        guard identity.matches(certificate) else {
            throw .invalidClient("the client certificate does not match the client's \(identity.metadataName)")
        }
    }

    /// RFC 8705 §2.2 `self_signed_tls_client_auth`: a certificate within its validity period
    /// whose public key is one of the keys the client registered. Any issuer is accepted, a CA
    /// among them: the key is what the client registered.
    public static func verifySelfSigned(
        _ certificate: ClientCertificate, keys: SelfSignedCertificateKeys, now: Date
    ) throws(OAuthError) {
        try checkValidity(certificate, now: now)
        guard keys.contains(certificate) else {
            throw .invalidClient("the client certificate's public key is not one of the client's registered keys")
        }
    }

    /// RFC 5280 §4.1.2.5, checked here as well as by the proxy: `now` is Tessera's clock, the
    /// one every other expiry is judged by.
    static func checkValidity(_ certificate: ClientCertificate, now: Date) throws(OAuthError) {
        if now < certificate.notValidBefore { throw .invalidClient("the client certificate is not valid yet") }
        if now > certificate.notValidAfter { throw .invalidClient("the client certificate has expired") }
    }
}
