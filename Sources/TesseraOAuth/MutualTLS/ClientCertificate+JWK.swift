import Crypto
import TesseraCore
import TesseraJOSE
import X509
import _CryptoExtras

extension ClientCertificate {
    /// The certificate's public key as a JWK, so that it can be compared with the keys a
    /// `self_signed_tls_client_auth` client registered (RFC 8705 §2.2) by RFC 7638 thumbprint,
    /// which depends on the key alone and not on how either side happened to encode it.
    ///
    /// EC P-256, P-384 and P-521 (RFC 7518 §6.2.1: fixed-length coordinates), Ed25519 (RFC 8037
    /// §2) and RSA (RFC 7518 §6.3.1: unsigned big-endian integers without leading zeros); nil
    /// for any other key type.
    public var publicKeyJWK: PublicJWK? {
        let key = certificate.publicKey
        var members: [(String, String)]
        if let p256 = P256.Signing.PublicKey(key) {
            members = Self.ec(curve: "P-256", x963: p256.x963Representation)
        } else if let p384 = P384.Signing.PublicKey(key) {
            members = Self.ec(curve: "P-384", x963: p384.x963Representation)
        } else if let p521 = P521.Signing.PublicKey(key) {
            members = Self.ec(curve: "P-521", x963: p521.x963Representation)
        } else if let ed25519 = Curve25519.Signing.PublicKey(key) {
            members = [("kty", "OKP"), ("crv", "Ed25519"), ("x", Base64URL.encode(ed25519.rawRepresentation))]
        } else if let rsa = _RSA.Signing.PublicKey(key), let primitives = try? rsa.getKeyPrimitives() {
            members = [
                ("kty", "RSA"), ("n", Self.unsigned(primitives.modulus)),
                ("e", Self.unsigned(primitives.publicExponent)),
            ]
        } else {
            return nil
        }
        return try? PublicJWK(object: JSONObject(members: members.map { ($0.0, JSONValue.string($0.1)) }))
    }

    /// The RFC 7638 thumbprint of the certificate's public key (not of the certificate: that is
    /// `thumbprint`).
    public var publicKeyThumbprint: String? { publicKeyJWK?.thumbprint }

    /// `0x04 || x || y` (SEC 1 uncompressed point) into `x` and `y`, each the curve's size.
    private static func ec(curve: String, x963: some Collection<UInt8>) -> [(String, String)] {
        let point = Array(x963.dropFirst())
        let half = point.count / 2
        return [
            ("kty", "EC"), ("crv", curve),
            ("x", Base64URL.encode(point[..<half])), ("y", Base64URL.encode(point[half...])),
        ]
    }

    private static func unsigned(_ bytes: some Collection<UInt8>) -> String {
        let trimmed = Array(bytes.drop(while: { $0 == 0 }))
        return Base64URL.encode(trimmed.isEmpty ? [0] : trimmed)
    }
}
