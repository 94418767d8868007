import Crypto
import Foundation
import JWTKit

/// Why a DPoP proof is refused: RFC 9449 §7.1's `invalid_dpop_proof`, with a reason for the
/// `error_description`.
struct ProofRefusal: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Checks the DPoP proof of a resource request exactly as RFC 9449 §4.3 lists, plus §7.1's
/// `ath`: what it proves is that the caller holds the private key of the proof's `jwk` right now,
/// for this method and URL, with this token. The result is the key's RFC 7638 thumbprint, which
/// the token's `cnf.jkt` must equal.
struct DPoPProofVerifier: Sendable {
    /// The algorithms proofs may use (`algs` of the `DPoP` challenge): asymmetric ones only, each
    /// with the key type (and curve) it needs. `Ed25519` is RFC 9864's name for `EdDSA` with
    /// Ed25519 keys; both are taken.
    static let algorithms: [(alg: String, kty: String, crv: String?)] = [
        ("ES256", "EC", "P-256"), ("ES384", "EC", "P-384"), ("PS256", "RSA", nil), ("RS256", "RSA", nil),
        ("Ed25519", "OKP", "Ed25519"), ("EdDSA", "OKP", "Ed25519"),
    ]
    /// §11.1: a proof is made just before its request, so its `iat` may stand this far from now,
    /// either way (clocks are never quite in step); its `jti` is remembered that long.
    static let window: TimeInterval = 60
    static let maximumLength = 8 * 1024
    /// Members of a JWK that belong to private keys (RFC 7517 §6.3.2, §6.2.2, §6.4).
    static let privateMembers: Set<String> = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]

    let replays: ProofReplayCache

    struct Claims: JWTPayload {
        let jti: String
        let htm: String
        let htu: String
        let iat: Double
        let ath: String?

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// `proofs`: every `DPoP` header of the request. `url`: the request's URL as the client
    /// addressed it (this API's public URL and the path).
    func verify(
        _ proofs: [String], method: String, url: String, accessToken: String, now: Date = Date()
    ) async throws(ProofRefusal) -> String {
        // Item 1: exactly one proof.
        guard proofs.count == 1, let proof = proofs.first else {
            throw ProofRefusal(proofs.isEmpty ? "a DPoP proof is required" : "send one DPoP header, not several")
        }
        // Item 2: a JWS in compact form, with a JSON header.
        let parts = proof.split(separator: ".", omittingEmptySubsequences: false)
        guard proof.utf8.count <= Self.maximumLength, parts.count == 3,
            let headerData = Base64URL.decode(parts[0]),
            let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any]
        else { throw ProofRefusal("the proof is not a signed JWT") }
        // Item 4: typ. Item 5: an asymmetric algorithm we support.
        guard header["typ"] as? String == "dpop+jwt" else { throw ProofRefusal("the proof's typ must be dpop+jwt") }
        guard let alg = header["alg"] as? String, let expected = Self.algorithms.first(where: { $0.alg == alg }) else {
            throw ProofRefusal("the proof's alg is not one of \(Self.algorithmNames)")
        }
        // Item 7: a public key of the algorithm's type, and nothing that points elsewhere.
        guard let jwk = header["jwk"] as? [String: Any], jwk["kty"] as? String == expected.kty,
            expected.crv == nil || jwk["crv"] as? String == expected.crv
        else { throw ProofRefusal("the proof's jwk is not a \(alg) public key") }
        guard Self.privateMembers.isDisjoint(with: jwk.keys) else {
            throw ProofRefusal("the proof's jwk holds private key members")
        }
        for refused in ["jku", "x5u", "x5c", "crit"] where header[refused] != nil {
            throw ProofRefusal("the proof's header must not carry \(refused)")
        }
        guard let jkt = JWKThumbprint.sha256(of: jwk) else { throw ProofRefusal("the proof's jwk is incomplete") }
        // Item 6: the signature, by that key, under that algorithm only.
        let claims: Claims
        do {
            claims = try await Self.keys(for: jwk, alg: alg).verify(proof, as: Claims.self)
        } catch {
            throw ProofRefusal("the proof's signature does not verify with its jwk, or its claims are malformed")
        }
        // Items 8 and 9: this method and this URL (query and fragment ignored).
        guard claims.htm == method else { throw ProofRefusal("the proof's htm is not this request's method") }
        guard let target = TargetURI(url), TargetURI(claims.htu) == target else {
            throw ProofRefusal("the proof's htu is not this request's URL")
        }
        // Item 11: made just now.
        let issued = Date(timeIntervalSince1970: claims.iat)
        guard abs(issued.timeIntervalSince(now)) <= Self.window else {
            throw ProofRefusal("the proof's iat is not within \(Int(Self.window)) s of now")
        }
        // §7.1 (item 12): the proof names the token it goes with.
        guard let ath = claims.ath, ath == Base64URL.encode(Data(SHA256.hash(data: Data(accessToken.utf8)))) else {
            throw ProofRefusal("the proof's ath is not the hash of this access token")
        }
        // §11.1: once only.
        guard !claims.jti.isEmpty, claims.jti.utf8.count <= 256 else {
            throw ProofRefusal("the proof's jti must be 1 to 256 characters")
        }
        switch await replays.record(
            jti: claims.jti, jkt: jkt, until: issued.addingTimeInterval(Self.window + 1), now: now)
        {
        case .fresh: return jkt
        case .replayed: throw ProofRefusal("this proof was used before")
        case .full: throw ProofRefusal("too many proofs at once; try again shortly")
        }
    }

    static var algorithmNames: String { algorithms.map(\.alg).joined(separator: " ") }

    /// jwt-kit's key for the proof's `jwk`, made to verify only `alg` (jwt-kit 5.8 knows
    /// Ed25519 keys under the polymorphic `EdDSA` only).
    static func keys(for jwk: [String: Any], alg: String) async throws -> JWTKeyCollection {
        var members = jwk.filter { ["kty", "crv", "x", "y", "n", "e"].contains($0.key) }
        members["alg"] = alg == "Ed25519" ? "EdDSA" : alg
        members["kid"] = "dpop-proof"
        let key = try JSONDecoder().decode(JWK.self, from: try JSONSerialization.data(withJSONObject: members))
        return try await JWTKeyCollection().add(jwk: key)
    }
}

/// A request URI as RFC 9449 §4.3 item 9 compares it: scheme and host case-insensitively, the
/// default port made explicit, the path exactly, without query and fragment.
struct TargetURI: Equatable {
    let scheme: String
    let host: String
    let port: Int
    let path: String

    init?(_ text: String) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "https" || scheme == "http", let host = components.host?.lowercased(), !host.isEmpty
        else { return nil }
        self.scheme = scheme
        self.host = host
        self.port = components.port ?? (scheme == "https" ? 443 : 80)
        self.path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
    }
}
