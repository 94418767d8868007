import Crypto
import Foundation
import _CryptoExtras

/// A credential public key in COSE form (RFC 9052 §7, RFC 9053), as an authenticator hands it
/// over in WebAuthn registration (WebAuthn L3 §6.5.1.1). Only the three algorithms Tessera
/// offers in `pubKeyCredParams` are read, and each only with the key type and curve it belongs
/// to: ES256 on P-256, EdDSA on Ed25519, RS256 with an RSA key of at least 2048 bits.
public struct COSEKey: Sendable {
    public enum Algorithm: Int, Sendable, CaseIterable, Codable {
        /// ECDSA with SHA-256 on P-256 (RFC 9053 §2.1).
        case es256 = -7
        /// EdDSA (RFC 9053 §2.2); on Ed25519 only, the one curve WebAuthn clients use.
        case edDSA = -8
        /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8812 §2).
        case rs256 = -257
    }

    enum Key: Sendable {
        case p256(P256.Signing.PublicKey)
        case ed25519(Curve25519.Signing.PublicKey)
        case rsa(_RSA.Signing.PublicKey)
    }

    public let algorithm: Algorithm
    let key: Key

    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    /// RFC 9052 §7.1 labels, and the key-type parameters of RFC 9053 §7 and RFC 8230 §4.
    enum Label {
        static let kty = 1
        static let alg = 3
        static let crv = -1
        static let x = -2
        static let y = -3
        static let n = -1
        static let e = -2
    }

    public init(cbor bytes: [UInt8]) throws(Failure) {
        let value: CBORValue
        do {
            value = try CBOR.decode(bytes)
        } catch {
            throw Failure(reason: error.description)
        }
        try self.init(value)
    }

    public init(_ value: CBORValue) throws(Failure) {
        guard case .map = value else { throw Failure(reason: "the key is not a COSE_Key map") }
        guard let label = value[Label.alg]?.integer, let algorithm = Algorithm(rawValue: label) else {
            throw Failure(reason: "the key's algorithm is not ES256, EdDSA or RS256")
        }
        let keyType = value[Label.kty]?.integer
        func bytes(_ label: Int) throws(Failure) -> [UInt8] {
            guard case .bytes(let bytes)? = value[label] else {
                throw Failure(reason: "the key lacks parameter \(label)")
            }
            return bytes
        }
        do {
            switch algorithm {
            case .es256:
                // kty 2 (EC2), crv 1 (P-256), uncompressed coordinates of 32 bytes each.
                guard keyType == 2, value[Label.crv]?.integer == 1 else {
                    throw Failure(reason: "an ES256 key must be EC2 on P-256")
                }
                let x = try bytes(Label.x)
                let y = try bytes(Label.y)
                guard x.count == 32, y.count == 32 else { throw Failure(reason: "P-256 coordinates must be 32 bytes") }
                key = .p256(try P256.Signing.PublicKey(rawRepresentation: x + y))
            case .edDSA:
                // kty 1 (OKP), crv 6 (Ed25519).
                guard keyType == 1, value[Label.crv]?.integer == 6 else {
                    throw Failure(reason: "an EdDSA key must be OKP on Ed25519")
                }
                let x = try bytes(Label.x)
                guard x.count == 32 else { throw Failure(reason: "an Ed25519 key must be 32 bytes") }
                key = .ed25519(try Curve25519.Signing.PublicKey(rawRepresentation: x))
            case .rs256:
                // kty 3 (RSA); the initializer refuses moduli under 2048 bits.
                guard keyType == 3 else { throw Failure(reason: "an RS256 key must be RSA") }
                let n = try bytes(Label.n)
                let e = try bytes(Label.e)
                guard n.count <= 1024, e.count <= 8 else { throw Failure(reason: "the RSA key is too large") }
                key = .rsa(try _RSA.Signing.PublicKey(n: n, e: e))
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(reason: "the key is not a valid \(algorithm) public key")
        }
        self.algorithm = algorithm
    }

    /// Whether `signature` is this key's over `data`. WebAuthn signatures are in the
    /// algorithm's own form (WebAuthn L3 §6.5.6): ECDSA as an ASN.1 DER `Ecdsa-Sig-Value`, not
    /// the fixed-size `r || s` of JWS; EdDSA and RSA as their raw bytes.
    public func isValidSignature(_ signature: [UInt8], for data: [UInt8]) -> Bool {
        switch key {
        case .p256(let key):
            guard let parsed = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return key.isValidSignature(parsed, for: data)
        case .ed25519(let key):
            return key.isValidSignature(signature, for: data)
        case .rsa(let key):
            return key.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature), for: data, padding: .insecurePKCS1v1_5)
        }
    }
}
