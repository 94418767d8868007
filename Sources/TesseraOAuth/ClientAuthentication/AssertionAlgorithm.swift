/// The JWS algorithms (RFC 7518 §3.1, RFC 8037 §3.1) a `private_key_jwt` assertion may be
/// signed with: asymmetric only. `none` proves nothing (RFC 8725 §3.1), and the HMAC
/// algorithms belong to `client_secret_jwt`, which would need the secret stored in the clear;
/// an HS256 "signature" keyed with a client's *public* key is the classic confusion attack.
enum AssertionAlgorithm: String, Sendable, CaseIterable {
    case rs256 = "RS256"
    case rs384 = "RS384"
    case rs512 = "RS512"
    case ps256 = "PS256"
    case ps384 = "PS384"
    case ps512 = "PS512"
    case es256 = "ES256"
    case es384 = "ES384"
    case es512 = "ES512"
    case edDSA = "EdDSA"

    static let rsa: [AssertionAlgorithm] = [.rs256, .rs384, .rs512, .ps256, .ps384, .ps512]

    /// For error descriptions.
    static let supportedNames = allCases.map(\.rawValue).joined(separator: ", ")
}
