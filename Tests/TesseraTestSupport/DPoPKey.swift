import Crypto
import Foundation
import TesseraCore

/// A client's DPoP key (ES256) and the proofs it makes (RFC 9449 §4.2), for tests at every level.
public struct DPoPKey: Sendable {
    public let key = P256.Signing.PrivateKey()

    public init() {}

    public var jwk: [String: String] {
        let point = Array(key.publicKey.x963Representation)
        return [
            "kty": "EC", "crv": "P-256", "x": Base64URL.encode(point[1..<33]), "y": Base64URL.encode(point[33..<65]),
        ]
    }

    /// RFC 7638 §3: SHA-256 of the required members, sorted, without whitespace.
    public var thumbprint: String {
        let jwk = self.jwk
        let canonical = #"{"crv":"P-256","kty":"EC","x":"\#(jwk["x"] ?? "")","y":"\#(jwk["y"] ?? "")"}"#
        return Base64URL.encode(SHA256.hash(data: Array(canonical.utf8)))
    }

    /// The claims of a proof for `htu` made at `now`, with `extra` merged in and `omitting` left out.
    public func claims(
        htu: String, at now: Date, _ extra: [String: Any] = [:], omitting: Set<String> = []
    ) -> [String: Any] {
        var claims: [String: Any] = [
            "jti": UUID().uuidString, "htm": "POST", "htu": htu, "iat": Int(now.timeIntervalSince1970),
        ]
        claims.merge(extra) { $1 }
        for name in omitting { claims[name] = nil }
        return claims
    }

    /// A compact proof of `claims` under `header` (by default `typ: dpop+jwt`, ES256, this key's
    /// JWK), signed by `signer` (by default this key).
    public func proof(
        _ claims: [String: Any], header: [String: Any]? = nil, signedBy signer: P256.Signing.PrivateKey? = nil
    ) throws -> String {
        let header = header ?? ["typ": "dpop+jwt", "alg": "ES256", "jwk": jwk]
        let input =
            Base64URL.encode(try JSONSerialization.data(withJSONObject: header)) + "."
            + Base64URL.encode(try JSONSerialization.data(withJSONObject: claims))
        let signature = try (signer ?? key).signature(for: SHA256.hash(data: Array(input.utf8)))
        return input + "." + Base64URL.encode(signature.rawRepresentation)
    }
}
