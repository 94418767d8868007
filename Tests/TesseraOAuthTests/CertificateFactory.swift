import Crypto
import Foundation
import SwiftASN1
import TesseraOAuth
import X509
import _CryptoExtras

/// Certificates made in the test with swift-certificates: a CA and the certificates it issues,
/// and self-signed ones, each with the key type, names and validity a test asks for.
enum CertificateFactory {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// A private key of one of the types RFC 8705 clients use, with its certificate form.
    enum Key {
        case p256(P256.Signing.PrivateKey)
        case p384(P384.Signing.PrivateKey)
        case ed25519(Curve25519.Signing.PrivateKey)
        case rsa(_RSA.Signing.PrivateKey)

        static func makeP256() -> Key { .p256(P256.Signing.PrivateKey()) }
        static func makeP384() -> Key { .p384(P384.Signing.PrivateKey()) }
        static func makeEd25519() -> Key { .ed25519(Curve25519.Signing.PrivateKey()) }
        static func makeRSA() throws -> Key { .rsa(try _RSA.Signing.PrivateKey(keySize: .bits2048)) }

        var certificateKey: Certificate.PrivateKey {
            switch self {
            case .p256(let key): Certificate.PrivateKey(key)
            case .p384(let key): Certificate.PrivateKey(key)
            case .ed25519(let key): Certificate.PrivateKey(key)
            case .rsa(let key): Certificate.PrivateKey(key)
            }
        }

        var publicKey: Certificate.PublicKey { certificateKey.publicKey }

        /// The public key as the member list of a JWK, made here without Tessera's code.
        var jwk: [String: String] {
            func b64(_ bytes: some DataProtocol) -> String { Data(bytes).base64URL }
            switch self {
            case .p256(let key):
                let point = key.publicKey.x963Representation.dropFirst()
                return ["kty": "EC", "crv": "P-256", "x": b64(point.prefix(32)), "y": b64(point.suffix(32))]
            case .p384(let key):
                let point = key.publicKey.x963Representation.dropFirst()
                return ["kty": "EC", "crv": "P-384", "x": b64(point.prefix(48)), "y": b64(point.suffix(48))]
            case .ed25519(let key):
                return ["kty": "OKP", "crv": "Ed25519", "x": b64(key.publicKey.rawRepresentation)]
            case .rsa(let key):
                // swift-crypto hands out the primitives as unsigned big-endian bytes.
                let primitives = try? key.publicKey.getKeyPrimitives()
                return [
                    "kty": "RSA", "n": b64(primitives?.modulus ?? Data()),
                    "e": b64(primitives?.publicExponent ?? Data()),
                ]
            }
        }
    }

    /// An issuer: its name and key. `ca()` makes a self-signed CA certificate for it.
    struct Issuer {
        let name: DistinguishedName
        let key: Key

        static func make(_ commonName: String = "Tessera Test CA", key: Key = .makeP256()) throws -> Issuer {
            Issuer(name: try DistinguishedName { CommonName(commonName) }, key: key)
        }
    }

    /// A certificate for `subject` with `key`, signed by `issuer` (self-signed when nil).
    static func certificate(
        subject: DistinguishedName, key: Key = .makeP256(), issuer: Issuer? = nil,
        alternativeNames: [GeneralName] = [], notBefore: Date = now.addingTimeInterval(-3600),
        notAfter: Date = now.addingTimeInterval(86_400)
    ) throws -> [UInt8] {
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            if !alternativeNames.isEmpty { SubjectAlternativeNames(alternativeNames) }
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: notBefore, notValidAfter: notAfter, issuer: issuer?.name ?? subject, subject: subject,
            extensions: extensions, issuerPrivateKey: issuer?.key.certificateKey ?? key.certificateKey)
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }

    /// `CN=device-1,O=Acme` issued by a test CA, with one SAN of each kind.
    static func device(key: Key = .makeP256(), issuer: Issuer? = nil) throws -> ClientCertificate {
        try ClientCertificate(
            derEncoded: certificate(
                subject: try DistinguishedName {
                    OrganizationName("Acme")
                    CommonName("device-1")
                },
                key: key, issuer: issuer ?? Issuer.make(),
                alternativeNames: [
                    .dnsName("device-1.acme.example"), .uniformResourceIdentifier("spiffe://acme.example/device-1"),
                    .ipAddress(ASN1OctetString(contentBytes: [10, 1, 2, 3])),
                    .ipAddress(
                        ASN1OctetString(contentBytes: [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [1])),
                    .rfc822Name("ops@Acme.example"),
                ]))
    }
}

extension Data {
    /// Base64url without padding, by Foundation (not Tessera's Base64URL, which is under test).
    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// A certificate made once with OpenSSL (valid 2026-12-01 to 2126-11-07), for values computed
/// independently of Tessera: `openssl x509 -outform der | openssl dgst -sha256 -binary`, base64url
/// for `x5t#S256`; the RFC 7638 thumbprint of its key by a Python script from `openssl ec -pubin`.
enum PinnedCertificate {
    static let pem = """
        -----BEGIN CERTIFICATE-----
        MIICMjCCAdigAwIBAgIUGM20fvEnN9rHkM1z//SF6ZDtrjowCgYIKoZIzj0EAwIw
        GjEYMBYGA1UEAwwPVGVzc2VyYSBUZXN0IENBMCAXDTI2MTIwMTIzMTY1NVoYDzIx
        MjYxMTA3MjMxNjU1WjBEMQswCQYDVQQGEwJERTETMBEGA1UECgwKQWNtZSwgSW5j
        LjEMMAoGA1UECwwDSW9UMRIwEAYDVQQDDAlkZXZpY2UgIzEwWTATBgcqhkjOPQIB
        BggqhkjOPQMBBwNCAATvXTzgr8Th60b0gPgXNjXb37N+3tKh9AIY9WZzNvZEJKxk
        Gxa80O8UQLBeEJ8p2VcpVHEXd0ktvfrc7+qr/2vzo4HPMIHMMGoGA1UdEQRjMGGC
        FWRldmljZS0xLmFjbWUuZXhhbXBsZYYec3BpZmZlOi8vYWNtZS5leGFtcGxlL2Rl
        dmljZS0xhwQKAQIDhxAgAQ24AAAAAAAAAAAAAAABgRBvcHNAYWNtZS5leGFtcGxl
        MBMGA1UdJQQMMAoGCCsGAQUFBwMCMAkGA1UdEwQCMAAwHQYDVR0OBBYEFO7xkcdt
        gjCwBOW0F2CtzbFUQhhDMB8GA1UdIwQYMBaAFF3D6aXY+na4CU+G0i1/9iGO+Q3q
        MAoGCCqGSM49BAMCA0gAMEUCIQDFPo8OVEZiKQAk+SWRuCATYzJHFNZ24LYLb30f
        tQIN8AIgZkVFGpmMLiGePdKhcxEjapJ7/maACHi9j1DHJb8yF+4=
        -----END CERTIFICATE-----
        """
    static let x5tS256 = "rOOMAXb65GxQ6LMolbNCU1N26ER4lA4DYPWQT0XCWDA"
    static let keyThumbprint = "9NkNOY9qqwS8lcSAdW23gwfFNkKp_AEk-40OXrUNCfM"
    /// `openssl x509 -noout -subject -nameopt RFC2253`
    static let subject = "CN=device #1,OU=IoT,O=Acme\\, Inc.,C=DE"

    static var base64: String {
        pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
    }
    static var der: [UInt8] { Array(Data(base64Encoded: base64) ?? Data()) }
}
