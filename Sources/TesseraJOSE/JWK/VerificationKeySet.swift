import Foundation
import JWTKit
import TesseraCore

/// A JWK Set of someone else's public keys (RFC 7517 §5): a client's registered `jwks` now, a
/// DPoP proof's `jwk` and request-object keys next. Turned into verifiers once, and the one
/// place that picks the key a JWS from outside is checked with.
///
/// Only the public members are read (`kty`, `crv`, `x`, `y`, `n`, `e`, `kid`, `alg`, `use`):
/// a private member is never used to build a key. Keys that cannot verify a signature (`use`
/// other than `sig`, `oct` keys, unknown curves, RSA under 2048 bits, unreadable parameters)
/// are left out rather than failing the whole set, as RFC 7517 §5 asks of key sets with
/// members an implementation does not understand. The set is read by `JSONReader`, as strictly
/// as every other JSON the server receives.
public struct VerificationKeySet: Sendable {
    struct Key: Sendable {
        let kid: String?
        /// jwt-kit's verifier per algorithm this key may be used with: the JWK's `alg` alone
        /// when it names one (RFC 7517 §4.4), otherwise every algorithm its type allows.
        let verifiers: [JWSAlgorithm: any JWTAlgorithm]
    }

    let keys: [Key]

    public init(json: String) async {
        guard let document = try? JSONReader.object(Array(json.utf8)), case .array(let members)? = document["keys"]
        else {
            keys = []
            return
        }
        var keys: [Key] = []
        for case .object(let jwk) in members {
            if let key = await Self.key(from: jwk) { keys.append(key) }
        }
        self.keys = keys
    }

    /// The one key a JWS carries in its header (a DPoP proof's `jwk`, RFC 9449 §4.2).
    public init(embedded jwk: JSONObject) async {
        keys = await Self.key(from: jwk).map { [$0] } ?? []
    }

    public var isEmpty: Bool { keys.isEmpty }

    /// The verifier for an assertion with header `kid` and `alg`, or nil.
    ///
    /// The key is found by `kid` here, among this client's keys only: jwt-kit's key collection
    /// would fall back to its default key for an unknown kid. Without a `kid` the set must hold
    /// exactly one key, so the choice is never a guess. The algorithm must be one the key is
    /// for: an `alg` never chooses how a key is used (RFC 8725 §3.1).
    func verifier(kid: String?, algorithm: JWSAlgorithm) -> (any JWTAlgorithm)? {
        let candidates = kid.map { kid in keys.filter { $0.kid == kid } } ?? keys
        guard candidates.count == 1, let key = candidates.first else { return nil }
        return key.verifiers[algorithm]
    }

    /// Whether `jws` carries a signature by the key its header names (by `kid`, or the only
    /// key) under its `alg`. The `alg` must be one of `accepted`.
    public func verifies(_ jws: CompactJWS, accepting accepted: [JWSAlgorithm] = JWSAlgorithm.allCases) -> Bool {
        guard let algorithm = JWSAlgorithm(rawValue: jws.algorithm), accepted.contains(algorithm),
            let verifier = verifier(kid: jws.keyID, algorithm: algorithm)
        else { return false }
        return (try? verifier.verify(jws.signature, signs: jws.signingInput)) == true
    }

    // MARK: - Reading JWKs

    private static func key(from members: JSONObject) async -> Key? {
        func string(_ name: String) -> String? { try? members.optionalString(name) }
        if members["use"] != nil, string("use") != "sig" { return nil }
        let declared: JWSAlgorithm?
        if members["alg"] != nil {
            guard let name = string("alg"), let algorithm = JWSAlgorithm(rawValue: name) else { return nil }
            declared = algorithm
        } else {
            declared = nil
        }
        guard let kty = string("kty") else { return nil }

        var verifiers: [JWSAlgorithm: any JWTAlgorithm] = [:]
        do {
            switch (kty, string("crv")) {
            case ("EC", "P-256"?):
                guard declared == nil || declared == .es256, let x = string("x"), let y = string("y") else {
                    return nil
                }
                verifiers[.es256] = try await verifier(ecdsa: ES256PublicKey(parameters: (x: x, y: y)))
            case ("EC", "P-384"?):
                guard declared == nil || declared == .es384, let x = string("x"), let y = string("y") else {
                    return nil
                }
                verifiers[.es384] = try await verifier(ecdsa: ES384PublicKey(parameters: (x: x, y: y)))
            case ("EC", "P-521"?):
                guard declared == nil || declared == .es512, let x = string("x"), let y = string("y") else {
                    return nil
                }
                verifiers[.es512] = try await verifier(ecdsa: ES512PublicKey(parameters: (x: x, y: y)))
            case ("OKP", "Ed25519"?):
                // RFC 9864 §2.2: `Ed25519` and the polymorphic `EdDSA` name the same operation here.
                guard declared == nil || declared == .ed25519 || declared == .edDSA, let x = string("x") else {
                    return nil
                }
                let verifier = try await verifier(eddsa: EdDSA.PublicKey(x: x, curve: .ed25519))
                verifiers[.ed25519] = verifier
                verifiers[.edDSA] = verifier
            case ("RSA", _):
                guard let n = string("n"), let e = string("e") else { return nil }
                // jwt-kit refuses moduli under 2048 bits (RFC 7518 §3.3).
                let key = try Insecure.RSA.PublicKey(modulus: n, exponent: e)
                for algorithm in JWSAlgorithm.rsa where declared == nil || declared == algorithm {
                    verifiers[algorithm] = try await verifier(rsa: key, algorithm: algorithm)
                }
            default:
                return nil
            }
        } catch {
            return nil
        }
        guard !verifiers.isEmpty else { return nil }
        return Key(kid: string("kid"), verifiers: verifiers)
    }

    // jwt-kit hands out its verifier types only through a key collection; each is built in a
    // collection of its own, under a fixed slot name, taken out and the collection dropped.
    private static let slot = JWKIdentifier(string: "client-key")

    private static func verifier(ecdsa key: some ECDSAKey) async throws -> any JWTAlgorithm {
        let collection = JWTKeyCollection()
        await collection.add(ecdsa: key, kid: slot)
        return try await collection.getKey(for: slot)
    }

    private static func verifier(eddsa key: some EdDSAKey) async throws -> any JWTAlgorithm {
        let collection = JWTKeyCollection()
        await collection.add(eddsa: key, kid: slot)
        return try await collection.getKey(for: slot)
    }

    private static func verifier(
        rsa key: Insecure.RSA.PublicKey, algorithm: JWSAlgorithm
    ) async throws
        -> any JWTAlgorithm
    {
        let collection = JWTKeyCollection()
        switch algorithm {
        case .rs256: await collection.add(rsa: key, digestAlgorithm: .sha256, kid: slot)
        case .rs384: await collection.add(rsa: key, digestAlgorithm: .sha384, kid: slot)
        case .rs512: await collection.add(rsa: key, digestAlgorithm: .sha512, kid: slot)
        case .ps256: await collection.add(pss: key, digestAlgorithm: .sha256, kid: slot)
        case .ps384: await collection.add(pss: key, digestAlgorithm: .sha384, kid: slot)
        case .ps512: await collection.add(pss: key, digestAlgorithm: .sha512, kid: slot)
        case .es256, .es384, .es512, .ed25519, .edDSA: throw JWTError.invalidJWK(reason: "not an RSA algorithm")
        }
        return try await collection.getKey(for: slot)
    }
}
