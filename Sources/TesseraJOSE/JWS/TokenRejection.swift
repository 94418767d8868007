/// Why a presented token was refused. One case per rule, so callers and tests can tell them apart;
/// `description` is for logs and `error_description`, and says nothing an attacker can use beyond
/// which rule failed.
public enum TokenRejection: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not three base64url segments, or a header or payload that is not a JSON object of the
    /// expected shape.
    case malformed
    /// `alg` missing, `none`, unknown, or not the algorithm of the key named by `kid`.
    case unsupportedAlgorithm
    /// `kid` missing, or not a key that verifies for this tenant (unknown, `next`, retired, revoked).
    case unknownKey
    /// The header carries a parameter that would let the token choose its own key or rules
    /// (`jku`, `x5u`, `x5c`, `jwk`, `crit`).
    case forbiddenHeader(String)
    /// `typ` is not the expected type (RFC 8725 §3.11: explicit typing keeps one kind of token
    /// from being replayed as another).
    case wrongType
    /// The signature does not verify with the key.
    case badSignature
    /// `iss` is not this tenant's issuer.
    case wrongIssuer
    /// A claim that must be present is absent (`exp`).
    case missingClaim(String)
    /// `exp` has passed, beyond the allowed clock skew.
    case expired
    /// `nbf` or `iat` is in the future, beyond the allowed clock skew.
    case notYetValid

    public var description: String {
        switch self {
        case .malformed: "the token is not a well-formed signed JWT"
        case .unsupportedAlgorithm: "the token's algorithm is missing, not accepted, or not the key's algorithm"
        case .unknownKey: "the token's key id is missing or does not name a key that verifies for this issuer"
        case .forbiddenHeader(let name): "the token header carries the refused parameter \"\(name)\""
        case .wrongType: "the token's typ header is not the expected type"
        case .badSignature: "the token's signature is invalid"
        case .wrongIssuer: "the token was issued by another issuer"
        case .missingClaim(let name): "the token has no \"\(name)\" claim"
        case .expired: "the token has expired"
        case .notYetValid: "the token is not valid yet"
        }
    }
}
