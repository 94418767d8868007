import Crypto
import Foundation
import TesseraCore
import _CryptoExtras

/// A freshly generated signing key, before it is sealed and stored.
public struct GeneratedKey: Sendable {
    /// RFC 7638 thumbprint of the public key; for HS256 a random 128-bit id.
    public let kid: String
    public let algorithm: SigningAlgorithm
    /// Compact JSON, keys sorted: `kty`, `kid`, `alg`, `use: sig` and the public parameters.
    /// `{}` for HS256, which is never published.
    public let publicJWK: String
    /// ES256/EdDSA: the raw 32-byte private key; RS256: PKCS#8 DER; HS256: the 32-byte secret.
    public let privateKey: [UInt8]

    /// The key as a record to store: its private part sealed under `masterKey`, bound to the
    /// tenant and kid, in `line`.
    public func record(
        tenantID: UUID, state: KeyState, now: Date, masterKey: MasterKey, line: KeyLine = .main
    ) throws(KeyError)
        -> SigningKeyRecord
    {
        SigningKeyRecord(
            tenantID: tenantID, kid: kid, algorithm: algorithm, state: state, publicJWK: publicJWK,
            sealedPrivateKey: try masterKey.seal(privateKey, tenantID: tenantID, kid: kid),
            createdAt: now, activatedAt: state == .current ? now : nil, line: line)
    }
}

/// Makes new signing keys. ES256 is the default algorithm; RS256 is 2048-bit.
public enum KeyGenerator {
    public static func generate(_ algorithm: SigningAlgorithm) throws(KeyError) -> GeneratedKey {
        let publicJWK: PublicJWK
        let privateKey: [UInt8]
        switch algorithm {
        case .es256:
            let key = P256.Signing.PrivateKey()
            publicJWK = PublicJWK(p256: key.publicKey)
            privateKey = Array(key.rawRepresentation)
        case .edDSA:
            let key = Curve25519.Signing.PrivateKey()
            publicJWK = PublicJWK(ed25519: key.publicKey)
            privateKey = Array(key.rawRepresentation)
        case .rs256:
            do {
                let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
                let primitives = try key.publicKey.getKeyPrimitives()
                publicJWK = PublicJWK(rsaModulus: primitives.modulus, exponent: primitives.publicExponent)
                privateKey = Array(key.pkcs8DERRepresentation)
            } catch {
                throw .keyGenerationFailed(algorithm: .rs256, reason: "\(error)")
            }
        case .hs256:
            let secret = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
            return GeneratedKey(
                kid: RandomToken.generate(bytes: 16), algorithm: .hs256, publicJWK: "{}", privateKey: secret)
        }
        let kid = publicJWK.thumbprint
        return GeneratedKey(
            kid: kid, algorithm: algorithm, publicJWK: publicJWK.with(kid: kid).json, privateKey: privateKey)
    }
}
