import TesseraJOSE

/// The keys a `self_signed_tls_client_auth` client registered (RFC 8705 §2.2: its `jwks`),
/// held as RFC 7638 thumbprints: a presented certificate authenticates the client when its
/// public key is one of them (§2.2.2). The certificate's other contents, its issuer and its
/// self-signature are not what is trusted; the TLS handshake proved possession of the key.
public struct SelfSignedCertificateKeys: Sendable {
    let thumbprints: Set<String>

    /// Reads a JWK Set (RFC 7517 §5) with the strict JSON reader. Members that are not public
    /// EC, OKP or RSA keys are left out, as `VerificationKeySet` does: a set may hold keys for
    /// other uses. A JWK's `x5c` is not consulted: the key material is what is registered.
    public init(jwks: String) {
        guard let document = try? JSONReader.object(Array(jwks.utf8)), case .array(let members)? = document["keys"]
        else {
            thumbprints = []
            return
        }
        var thumbprints: Set<String> = []
        for case .object(let member) in members {
            if let key = try? PublicJWK(object: member) { thumbprints.insert(key.thumbprint) }
        }
        self.thumbprints = thumbprints
    }

    public var isEmpty: Bool { thumbprints.isEmpty }

    /// Whether the certificate's public key is one of the registered keys.
    public func contains(_ certificate: ClientCertificate) -> Bool {
        guard let thumbprint = certificate.publicKeyThumbprint else { return false }
        return thumbprints.contains(thumbprint)
    }
}
