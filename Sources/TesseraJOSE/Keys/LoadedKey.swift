import Crypto
import Foundation
import JWTKit
import TesseraCore

/// A signing key ready to sign or verify: the record's private part opened and checked against
/// its public JWK, and the jwt-kit algorithm object built once, here, not per token.
public struct LoadedKey: Sendable {
    public let kid: String
    public let algorithm: SigningAlgorithm
    public let state: KeyState
    /// False for keys loaded from their public JWK only.
    public let canSign: Bool
    /// jwt-kit's signer or verifier for this key; nil for ES256, which `p256` handles.
    let jwtAlgorithm: (any JWTAlgorithm)?
    /// ES256 keys sign and verify with swift-crypto's P256 directly: jwt-kit's generic path
    /// (an existential algorithm, `DataProtocol` digests, a copied signature) cost about a fifth
    /// of the signature itself, and its algorithm object (built through a one-key
    /// `JWTKeyCollection` actor) doubled each tenant's load time and key memory. Nil for the
    /// other algorithms, which go through `jwtAlgorithm`.
    let p256: P256Key?
    /// Base64url of the JOSE header for the common `typ` values, so signing does no header JSON.
    let encodedHeaders: [String: [UInt8]]

    /// The `typ` values whose header is prepared at load time (RFC 9068 §2.1 access tokens, and
    /// ID tokens).
    static let preparedTypes = ["at+jwt", "JWT"]

    /// Loads a key from its record.
    ///
    /// - The sealed private part, when present and `includePrivatePart` is true, is opened with
    ///   `masterKey` and must yield the public key of `publicJWK` (else `KeyError.keyMismatch`).
    /// - Without it (a verify-only key, or `includePrivatePart: false`) the key is built from
    ///   `publicJWK` and can only verify. HS256 has no public form: its secret is always needed.
    /// - The JWK's own `kid`, when it has one, must be the record's kid.
    public init(record: SigningKeyRecord, masterKey: MasterKey, includePrivatePart: Bool = true) async throws(KeyError)
    {
        let kid = record.kid
        let key: JWTKitKey
        var p256: P256Key?
        if record.algorithm == .hs256 {
            guard let sealed = record.sealedPrivateKey else { throw .missingPrivateKey(kid: kid) }
            let secret = try masterKey.open(sealed, tenantID: record.tenantID, kid: kid)
            key = try KeyMaterial.privateKey(secret, algorithm: .hs256, kid: kid).key
        } else {
            let stored = try PublicJWK(json: record.publicJWK)
            if let jwkKid = stored.kid, jwkKid != kid { throw .keyMismatch(kid: kid) }
            if includePrivatePart, let sealed = record.sealedPrivateKey {
                let opened = try masterKey.open(sealed, tenantID: record.tenantID, kid: kid)
                let material = try KeyMaterial.privateKey(opened, algorithm: record.algorithm, kid: kid)
                guard material.publicJWK?.requiredMembers == stored.requiredMembers else {
                    throw .keyMismatch(kid: kid)
                }
                // Also checks that the JWK suits the algorithm (kty, crv, alg).
                _ = try KeyMaterial.publicKey(stored, algorithm: record.algorithm, kid: kid)
                key = material.key
                if let signing = material.p256 { p256 = P256Key(signing: signing, verifying: signing.publicKey) }
            } else {
                key = try KeyMaterial.publicKey(stored, algorithm: record.algorithm, kid: kid)
                if record.algorithm == .es256 {
                    p256 = P256Key(signing: nil, verifying: try KeyMaterial.p256PublicKey(stored, kid: kid))
                }
            }
        }
        var jwtAlgorithm: (any JWTAlgorithm)?
        if p256 == nil {
            do {
                jwtAlgorithm = try await key.makeAlgorithm(kid: kid)
            } catch {
                throw .invalidPrivateKey(kid: kid, reason: "jwt-kit refused the key: \(error)")
            }
        }
        var headers: [String: [UInt8]] = [:]
        for type in Self.preparedTypes {
            headers[type] = try Self.encodeHeader(alg: record.algorithm.jwsAlgorithm, kid: kid, type: type)
        }
        self.kid = kid
        self.algorithm = record.algorithm
        self.state = record.state
        self.canSign = key.canSign
        self.jwtAlgorithm = jwtAlgorithm
        self.p256 = p256
        self.encodedHeaders = headers
    }

    /// The base64url JOSE header `{"alg","kid","typ"}` (RFC 7515 §4.1) for a token of `type`.
    func encodedHeader(type: String) throws(KeyError) -> [UInt8] {
        if let prepared = encodedHeaders[type] { return prepared }
        return try Self.encodeHeader(alg: algorithm.jwsAlgorithm, kid: kid, type: type)
    }

    /// Members in a fixed order, so the prepared headers stay byte-for-byte stable.
    static func encodeHeader(alg: String, kid: String, type: String) throws(KeyError) -> [UInt8] {
        var writer = JSONWriter(capacity: 128)
        writer.string("alg", alg)
        writer.string("kid", kid)
        writer.string("typ", type)
        return Base64URL.encodedBytes(writer.finished())
    }
}

/// An ES256 key as swift-crypto holds it.
struct P256Key: Sendable {
    let signing: P256.Signing.PrivateKey?
    let verifying: P256.Signing.PublicKey
}
