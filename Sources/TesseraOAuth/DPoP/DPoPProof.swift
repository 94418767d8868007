import Crypto
import Foundation
import TesseraCore
import TesseraJOSE
import TesseraStore

/// A DPoP proof (RFC 9449 §4), checked exactly as §4.3 lists, before the request it came with
/// is served. What it proves is possession of the private key of its `jwk`; `jkt` (the RFC 7638
/// thumbprint of that key, §6.1) is what a bound token carries in `cnf`. Remembering its `jti`
/// across instances is the caller's (the proof says only who made it and when).
public struct DPoPProof: Sendable, Equatable {
    /// RFC 7638 thumbprint of the proof's public key, for `cnf.jkt` (§6.1) and `dpop_jkt` (§10).
    public let jkt: String
    public let jti: String
    public let issuedAt: Date

    /// How far a proof's `iat` may stand from now, either way: a proof is a one-shot signature
    /// made just before the request (§11.1), so its `jti` is remembered that long only.
    public static let window: TimeInterval = 60
    /// Longer proofs and `jti`s are refused unread.
    static let maximumLength = 8 * 1024
    static let maximumJTILength = 256

    /// What the request says about itself, for §4.3 items 8 to 12.
    public struct Request: Sendable {
        public let method: String
        /// The request's URI as the client addressed it (RFC 9449 §4.2 `htu`).
        public let url: String
        /// The access token the proof is presented with (resource requests, §7), whose hash must
        /// be the proof's `ath`; nil at the token endpoint.
        public let accessToken: String?
        /// RFC 8705 §3: the `x5t#S256` of the client certificate a trusted TLS proxy forwarded
        /// with a resource request, for certificate-bound tokens presented as bearer tokens.
        public let certificateThumbprint: String?

        public init(method: String, url: String, accessToken: String? = nil, certificateThumbprint: String? = nil) {
            self.method = method
            self.url = url
            self.accessToken = accessToken
            self.certificateThumbprint = certificateThumbprint
        }
    }

    /// §4.3 items 1 to 12: `headers` are the request's `DPoP` header values (none, one, or a
    /// refused second one), `algorithms` those the server accepts (its
    /// `dpop_signing_alg_values_supported`), `nonce` the server's nonce rule when it requires one.
    public static func verify(
        headers: [String], request: Request, now: Date, algorithms: [JWSAlgorithm] = DPoPProof.algorithms,
        nonce: DPoPNonces.Check? = nil
    ) async throws(OAuthError) -> DPoPProof {
        // Item 1: exactly one DPoP header.
        guard headers.count == 1, let token = headers.first else {
            throw .invalidDPoPProof(headers.isEmpty ? "a DPoP proof is required" : "send one DPoP header, not several")
        }
        // Item 2: a well-formed JWT, through the one JWS parser; the key travels in `jwk`.
        let jws: CompactJWS
        do {
            jws = try CompactJWS(parsing: token, maximumLength: maximumLength, allowing: ["jwk"])
        } catch .refusedHeaderMember(let name) {
            throw .invalidDPoPProof("the proof's header carries the refused parameter '\(name)'")
        } catch {
            throw .invalidDPoPProof("the proof is not a well-formed signed JWT")
        }
        // Item 4: typ dpop+jwt. Item 5: an asymmetric algorithm the server supports.
        guard jws.hasType("dpop+jwt") else { throw .invalidDPoPProof("the proof's typ must be dpop+jwt") }
        guard let algorithm = JWSAlgorithm(rawValue: jws.algorithm), algorithms.contains(algorithm) else {
            throw .invalidDPoPProof(
                "the proof's alg is not accepted; use one of \(algorithms.map(\.rawValue).joined(separator: ", "))")
        }
        // Item 7: the key is a public key, whose thumbprint names it.
        guard case .object(let jwkObject)? = jws.header["jwk"] else {
            throw .invalidDPoPProof("the proof's header has no jwk object")
        }
        let publicJWK: PublicJWK
        do {
            publicJWK = try PublicJWK(object: jwkObject)
        } catch {
            throw .invalidDPoPProof("the proof's jwk is not a public key (a private member, or an unknown kty)")
        }
        // Item 6: the signature verifies with that key, under the header's alg.
        let keys = await VerificationKeySet(embedded: jwkObject)
        guard keys.verifies(jws, accepting: [algorithm]) else {
            throw .invalidDPoPProof("the proof's signature does not verify with its jwk")
        }
        // Item 3: the claims, each of its type.
        let claims: JSONObject
        let jti: String
        let htm: String
        let htu: String
        let iat: Double
        let ath: String?
        let proofNonce: String?
        do {
            claims = try jws.claims()
            jti = try claims.string("jti")
            htm = try claims.string("htm")
            htu = try claims.string("htu")
            guard let issued = try claims.optionalNumber("iat") else { throw JSONReader.Failure(reason: "iat missing") }
            iat = issued
            ath = try claims.optionalString("ath")
            proofNonce = try claims.optionalString("nonce")
        } catch {
            throw .invalidDPoPProof("the proof needs jti, htm, htu and iat claims of the right types")
        }
        guard !jti.isEmpty, jti.utf8.count <= maximumJTILength else {
            throw .invalidDPoPProof("the proof's jti must be 1 to \(maximumJTILength) characters")
        }
        // Item 8: the method. Item 9: the URI, ignoring query and fragment.
        guard htm == request.method else { throw .invalidDPoPProof("the proof's htm is not this request's method") }
        guard let expected = TargetURI(request.url), TargetURI(htu) == expected else {
            throw .invalidDPoPProof("the proof's htu is not this request's URI")
        }
        // Item 10: the server's nonce, when it asks for one (§8).
        if let nonce {
            guard let proofNonce, nonce.accepts(proofNonce) else {
                var error = OAuthError.useDPoPNonce("the proof must carry the nonce of the DPoP-Nonce header")
                error.dpopNonce = nonce.current
                throw error
            }
        }
        // Item 11: made just now.
        guard abs(now.timeIntervalSince1970 - iat) <= window else {
            throw .invalidDPoPProof("the proof's iat is more than \(Int(window)) seconds from now")
        }
        // Item 12: with an access token, the proof names it by hash (§4.2 ath).
        if let accessToken = request.accessToken {
            guard let ath, ConstantTime.equals(Array(ath.utf8), Array(Self.ath(of: accessToken).utf8)) else {
                throw .invalidDPoPProof("the proof's ath is not the hash of the access token")
            }
        }
        return DPoPProof(jkt: publicJWK.thumbprint, jti: jti, issuedAt: Date(timeIntervalSince1970: iat))
    }

    /// The algorithms Tessera accepts in proofs: the asymmetric ones of `JWSAlgorithm`.
    public static let algorithms = JWSAlgorithm.allCases

    /// §4.2 `ath`: base64url of the SHA-256 of the access token's ASCII.
    public static func ath(of accessToken: String) -> String {
        Base64URL.encode(SHA256.hash(data: Array(accessToken.utf8)))
    }
}

/// A request URI as §4.3 item 9 compares it: scheme and host case-insensitively (RFC 3986
/// §6.2.2.1), the default port made explicit (§6.2.3), the path as given, query and fragment left
/// out.
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
        port = components.port ?? (scheme == "https" ? 443 : 80)
        path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
    }
}

extension DPoPProofStore {
    /// §11.1: `proof` is accepted once per tenant and key, at any instance, while its window
    /// lasts; a second use is `invalid_dpop_proof`.
    func accept(_ proof: DPoPProof, tenantID: UUID) async throws(OAuthError) {
        do {
            try await recordDPoPProof(
                tenantID: tenantID, jkt: proof.jkt, jti: proof.jti,
                expiresAt: proof.issuedAt.addingTimeInterval(DPoPProof.window))
        } catch StoreError.conflict {
            throw .invalidDPoPProof("the proof's jti was already used; make a new proof for each request")
        } catch {
            throw .temporarilyUnavailable("the proof could not be recorded; retry")
        }
    }
}
