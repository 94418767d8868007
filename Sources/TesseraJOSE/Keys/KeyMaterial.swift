import Crypto
import Foundation
import JWTKit
import TesseraCore
import _CryptoExtras

/// A key in the form jwt-kit signs or verifies with.
///
/// The stored forms are: ES256 and EdDSA the 32-byte raw private scalar/seed, RS256 PKCS#8 DER,
/// HS256 the 32-byte secret; public keys come from the JWK.
enum JWTKitKey: Sendable {
    case es256(ES256PrivateKey)
    case es256Public(ES256PublicKey)
    case edDSA(EdDSA.PrivateKey)
    case edDSAPublic(EdDSA.PublicKey)
    case rs256(JWTKit.Insecure.RSA.PrivateKey)
    case rs256Public(JWTKit.Insecure.RSA.PublicKey)
    case hs256(HMACKey)

    var canSign: Bool {
        switch self {
        case .es256, .edDSA, .rs256, .hs256: true
        case .es256Public, .edDSAPublic, .rs256Public: false
        }
    }

    /// jwt-kit hands out its algorithm object for a key only through a `JWTKeyCollection` (the
    /// signer types are internal), so a collection of this one key is made, asked once at load
    /// time, and dropped. The algorithm is `Sendable` and signs without an actor hop.
    func makeAlgorithm(kid: String) async throws -> any JWTAlgorithm {
        let collection = JWTKeyCollection()
        let identifier = JWKIdentifier(string: kid)
        switch self {
        case .es256(let key): await collection.add(ecdsa: key, kid: identifier)
        case .es256Public(let key): await collection.add(ecdsa: key, kid: identifier)
        case .edDSA(let key): await collection.add(eddsa: key, kid: identifier)
        case .edDSAPublic(let key): await collection.add(eddsa: key, kid: identifier)
        case .rs256(let key): await collection.add(rsa: key, digestAlgorithm: .sha256, kid: identifier)
        case .rs256Public(let key): await collection.add(rsa: key, digestAlgorithm: .sha256, kid: identifier)
        case .hs256(let key): await collection.add(hmac: key, digestAlgorithm: .sha256, kid: identifier)
        }
        return try await collection.getKey(for: identifier)
    }
}

/// Turns stored bytes into jwt-kit keys, and private keys into the public JWK they imply.
enum KeyMaterial {
    /// The signing key for the stored private part, its public JWK (nil for HS256, which has
    /// no public form), and for ES256 the swift-crypto key the hot path signs with.
    static func privateKey(
        _ bytes: [UInt8], algorithm: SigningAlgorithm, kid: String
    ) throws(KeyError)
        -> (key: JWTKitKey, publicJWK: PublicJWK?, p256: P256.Signing.PrivateKey?)
    {
        do {
            switch algorithm {
            case .es256:
                let key = try P256.Signing.PrivateKey(rawRepresentation: bytes)
                return (.es256(try ES256PrivateKey(backing: key)), PublicJWK(p256: key.publicKey), key)
            case .edDSA:
                let key = try Curve25519.Signing.PrivateKey(rawRepresentation: bytes)
                return (.edDSA(EdDSA.PrivateKey(backing: key)), PublicJWK(ed25519: key.publicKey), nil)
            case .rs256:
                let key = try _RSA.Signing.PrivateKey(derRepresentation: bytes)
                let primitives = try key.publicKey.getKeyPrimitives()
                return (
                    .rs256(try JWTKit.Insecure.RSA.PrivateKey(backing: key)),
                    PublicJWK(rsaModulus: primitives.modulus, exponent: primitives.publicExponent), nil
                )
            case .hs256:
                // RFC 7518 §3.2: the key must be at least as long as the hash output.
                guard bytes.count >= 32 else {
                    throw KeyError.invalidPrivateKey(kid: kid, reason: "an HS256 secret needs at least 32 bytes")
                }
                return (.hs256(HMACKey(key: SymmetricKey(data: bytes))), nil, nil)
            }
        } catch let error as KeyError {
            throw error
        } catch {
            throw .invalidPrivateKey(kid: kid, reason: "not a \(algorithm.rawValue) private key")
        }
    }

    /// The verifying key described by a public JWK; the JWK must be of the record's algorithm.
    static func publicKey(_ jwk: PublicJWK, algorithm: SigningAlgorithm, kid: String) throws(KeyError) -> JWTKitKey {
        let members = jwk.requiredMembers
        let expected: (kty: String, crv: String?)
        switch algorithm {
        case .es256: expected = ("EC", "P-256")
        case .edDSA: expected = ("OKP", "Ed25519")
        case .rs256: expected = ("RSA", nil)
        case .hs256: throw .missingPrivateKey(kid: kid)
        }
        guard members["kty"] == expected.kty, members["crv"] == expected.crv else {
            throw .invalidPublicJWK(kid: kid, reason: "not a \(algorithm.rawValue) key")
        }
        if let alg = jwk.alg, !algorithm.accepts(alg) {
            throw .invalidPublicJWK(kid: kid, reason: "alg \(alg) differs from the key's \(algorithm.jwsAlgorithm)")
        }
        do {
            switch algorithm {
            case .es256:
                return .es256Public(try ES256PublicKey(parameters: (x: members["x"] ?? "", y: members["y"] ?? "")))
            case .edDSA:
                return .edDSAPublic(try EdDSA.PublicKey(x: members["x"] ?? "", curve: .ed25519))
            case .rs256:
                return .rs256Public(
                    try JWTKit.Insecure.RSA.PublicKey(modulus: members["n"] ?? "", exponent: members["e"] ?? ""))
            case .hs256:
                throw KeyError.missingPrivateKey(kid: kid)
            }
        } catch let error as KeyError {
            throw error
        } catch {
            throw .invalidPublicJWK(kid: kid, reason: "its parameters are not a valid \(algorithm.rawValue) public key")
        }
    }

    /// The P-256 public key of an ES256 JWK whose members `publicKey(_:algorithm:kid:)` has
    /// already checked: x and y, 32 bytes each, as an uncompressed point (SEC 1 §2.3.3).
    static func p256PublicKey(_ jwk: PublicJWK, kid: String) throws(KeyError) -> P256.Signing.PublicKey {
        let members = jwk.requiredMembers
        guard let x = members["x"].flatMap({ Base64URL.decode($0) }),
            let y = members["y"].flatMap({ Base64URL.decode($0) }),
            x.count == 32, y.count == 32,
            let key = try? P256.Signing.PublicKey(x963Representation: [0x04] + x + y)
        else { throw .invalidPublicJWK(kid: kid, reason: "its parameters are not a valid ES256 public key") }
        return key
    }
}
