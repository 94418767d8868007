/// The JWS algorithms (RFC 7518 §3.1, RFC 8037 §3.1, RFC 9864 §2.2) Tessera verifies in what
/// clients sign: `private_key_jwt` assertions now, DPoP proofs and request objects next.
/// Asymmetric only: `none` proves nothing (RFC 8725 §3.1), and the HMAC algorithms would need a
/// client's secret stored in the clear; an HS256 "signature" keyed with a client's *public* key
/// is the classic confusion attack.
public enum JWSAlgorithm: String, Sendable, CaseIterable {
    case rs256 = "RS256"
    case rs384 = "RS384"
    case rs512 = "RS512"
    case ps256 = "PS256"
    case ps384 = "PS384"
    case ps512 = "PS512"
    case es256 = "ES256"
    case es384 = "ES384"
    case es512 = "ES512"
    /// RFC 9864 §2.2: EdDSA with Ed25519, fully specified.
    case ed25519 = "Ed25519"
    /// RFC 8037's polymorphic name, deprecated by RFC 9864 but still sent by clients; accepted
    /// for Ed25519 keys only (Ed448 is not implemented).
    case edDSA = "EdDSA"

    public static let rsa: [JWSAlgorithm] = [.rs256, .rs384, .rs512, .ps256, .ps384, .ps512]

    /// For error descriptions.
    public static let supportedNames = allCases.map(\.rawValue).joined(separator: ", ")
}
