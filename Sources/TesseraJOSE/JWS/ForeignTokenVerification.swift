import Foundation
import TesseraCore

extension VerificationKeySet {
    /// Verifies a JWT signed by someone else with a key of this set (an upstream OpenID
    /// Provider's ID token, from its `jwks_uri`) and returns its claims.
    ///
    /// The same rules as a token of our own (`TenantKeys.verify`), with a foreign key set:
    /// `CompactJWS` refuses `none` and the header members that choose their own key; the `alg`
    /// must be one of `accepted` (an allow-list per use: asymmetric only, so an HMAC "signed"
    /// with a public key never verifies, RFC 8725 §3.1) and one the key is for; the key is found
    /// by `kid` here (`unknownKey` when the set has no such key, which tells the caller to fetch
    /// the set again once); `typ`, when present, must be one of `types`; then the signature,
    /// `iss` exactly, `exp` (required), `nbf` and `iat`, with `leeway` seconds of clock skew.
    /// Audience, nonce and the rest are the caller's: only it knows them.
    public func verify(
        _ token: String, accepting accepted: [JWSAlgorithm], types: [String], issuer: String, now: Date, leeway: Int
    ) throws(TokenRejection) -> JSONObject {
        let jws = try CompactJWS.received(token)
        guard let algorithm = JWSAlgorithm(rawValue: jws.algorithm), accepted.contains(algorithm) else {
            throw .unsupportedAlgorithm
        }
        guard hasKey(kid: jws.keyID) else { throw .unknownKey }
        if jws.type != nil, !types.contains(where: jws.hasType) { throw .wrongType }
        guard verifies(jws, accepting: accepted) else { throw .badSignature }
        let claims = try jws.verifiedClaims()
        try RegisteredClaims(claims).check(issuer: issuer, now: now, leeway: leeway)
        return claims
    }

    /// Whether the set holds the key a JWS with header `kid` names: by `kid`, or without one,
    /// the set's only key.
    public func hasKey(kid: String?) -> Bool {
        guard let kid else { return keys.count == 1 }
        return keys.contains { $0.kid == kid }
    }
}
