import Crypto
import Foundation
import TesseraCore

/// The public half of a signing key as a JSON Web Key (RFC 7517), reduced to what Tessera
/// publishes: the members that define the key (RFC 7518 §6.2.1 for EC, §6.3.1 for RSA; RFC 8037
/// §2 for OKP) plus `kid`, `alg` and `use`.
///
/// Parsing refuses private members (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`, `k`): a "public" JWK
/// that carries them is a bug that would publish a private key, and is stopped here.
public struct PublicJWK: Sendable, Equatable {
    /// `kty` and the key's public parameters: exactly the members RFC 7638 §3.2 hashes.
    public let requiredMembers: [String: String]
    public let kid: String?
    public let alg: String?
    public let use: String?

    /// Members that would make the JWK a private key.
    static let privateMembers: Set<String> = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]

    /// The required members per `kty` (RFC 7638 §3.2, RFC 8037 §2), `kty` itself aside.
    static let requiredMemberNames: [String: [String]] = [
        "EC": ["crv", "x", "y"],
        "OKP": ["crv", "x"],
        "RSA": ["e", "n"],
    ]

    init(requiredMembers: [String: String], kid: String?, alg: String?, use: String? = "sig") {
        self.requiredMembers = requiredMembers
        self.kid = kid
        self.alg = alg
        self.use = use
    }

    /// Parses a JWK JSON text with `JSONReader`, the one strict reader (a member twice is
    /// malformed); see `init(object:)`.
    public init(json: String) throws(KeyError) {
        let object: JSONObject
        do {
            object = try JSONReader.object(Array(json.utf8))
        } catch {
            throw .invalidPublicJWK(kid: "?", reason: "not a JSON object of string members")
        }
        try self.init(object: object)
    }

    /// A JWK already read (a DPoP proof's `jwk` header member, RFC 9449 §4.2). Members that are
    /// not strings read as absent, so a JWK with arrays or numbers (`key_ops`, `x5c`) still
    /// parses. `kid`, `alg` and `use` are optional so that foreign JWKs (the RFC 7638 example)
    /// parse too.
    public init(object: JSONObject) throws(KeyError) {
        func member(_ name: String) -> String? { try? object.optionalString(name) }
        let kid = member("kid")
        let label = kid ?? "?"
        if let name = object.members.map(\.0).sorted().first(where: Self.privateMembers.contains) {
            throw .invalidPublicJWK(kid: label, reason: "carries the private member \"\(name)\"")
        }
        guard let kty = member("kty"), let names = Self.requiredMemberNames[kty] else {
            throw .invalidPublicJWK(kid: label, reason: "kty must be EC, OKP or RSA")
        }
        var required = ["kty": kty]
        for name in names {
            guard let value = member(name), !value.isEmpty else {
                throw .invalidPublicJWK(kid: label, reason: "\(kty) key without \"\(name)\"")
            }
            required[name] = value
        }
        self.init(requiredMembers: required, kid: kid, alg: member("alg"), use: member("use"))
    }

    /// The RFC 7638 JWK thumbprint: SHA-256 over the required members in lexicographic order,
    /// without whitespace (§3.3), base64url-encoded. Tessera uses it as the `kid`, so the same
    /// key always has the same id and a kid cannot name two different keys.
    public var thumbprint: String {
        Base64URL.encode(SHA256.hash(data: Self.canonicalJSON(requiredMembers)))
    }

    /// Compact JSON, keys sorted, `/` not escaped: the form stored in `SigningKeyRecord.publicJWK`
    /// and published in JWKS.
    public var json: String {
        var members = requiredMembers
        members["kid"] = kid
        members["alg"] = alg
        members["use"] = use
        return String(decoding: Self.canonicalJSON(members), as: UTF8.self)
    }

    /// Sorted keys and no whitespace is exactly RFC 7638 §3.3's serialisation for members whose
    /// values are base64url or fixed names (nothing to escape), written by the one JSON writer.
    static func canonicalJSON(_ members: [String: String]) -> [UInt8] {
        var writer = JSONWriter(capacity: 256)
        for name in members.keys.sorted() { writer.string(name, members[name]) }
        return writer.finished()
    }
}

extension PublicJWK {
    /// An EC P-256 public key: `x` and `y` are the 32-byte coordinates (RFC 7518 §6.2.1).
    init(p256 key: P256.Signing.PublicKey, alg: String = "ES256") {
        let point = Array(key.x963Representation)  // 0x04 || x || y
        self.init(
            requiredMembers: [
                "kty": "EC", "crv": "P-256",
                "x": Base64URL.encode(point[1..<33]), "y": Base64URL.encode(point[33..<65]),
            ],
            kid: nil, alg: alg)
    }

    /// An Ed25519 public key: `x` is the 32-byte public key (RFC 8037 §2).
    init(ed25519 key: Curve25519.Signing.PublicKey) {
        self.init(
            requiredMembers: ["kty": "OKP", "crv": "Ed25519", "x": Base64URL.encode(key.rawRepresentation)],
            kid: nil, alg: SigningAlgorithm.edDSA.jwsAlgorithm)
    }

    /// An RSA public key: modulus and exponent as unsigned big-endian integers without leading
    /// zero octets (RFC 7518 §6.3.1.1, §2 "Base64urlUInt").
    init(rsaModulus modulus: Data, exponent: Data) {
        func unsigned(_ data: Data) -> String {
            let bytes = Array(data.drop(while: { $0 == 0 }))
            return Base64URL.encode(bytes.isEmpty ? [0] : bytes)
        }
        self.init(
            requiredMembers: ["kty": "RSA", "n": unsigned(modulus), "e": unsigned(exponent)],
            kid: nil, alg: "RS256")
    }

    func with(kid: String) -> PublicJWK {
        PublicJWK(requiredMembers: requiredMembers, kid: kid, alg: alg, use: use)
    }
}
