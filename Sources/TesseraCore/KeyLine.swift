/// The series a signing key belongs to. Each line has its own `next` → `current` → `previous`
/// keys and rotates on the tenant's schedule with the tenant's publish-ahead
/// (docs/id-token-signing.md).
///
/// - `main`: the tenant's keys of `key_algorithm`. They sign access tokens, and the ID tokens and
///   logout tokens of clients that registered no `id_token_signed_response_alg`.
/// - `idToken(A)`: keys of algorithm A that sign only ID tokens and logout tokens, for clients
///   that registered A (OIDC Dynamic Client Registration 1.0 §2; OIDC Core §15.1 makes RS256
///   mandatory to offer). A tenant has such a line once one of its clients asked for A.
public enum KeyLine: Hashable, Sendable {
    case main
    case idToken(SigningAlgorithm)

    /// The `line` column: empty for the main line, else the algorithm's stored name.
    public var storedName: String {
        switch self {
        case .main: ""
        case .idToken(let algorithm): algorithm.rawValue
        }
    }

    /// The algorithm of an ID-token line; nil for the main line, whose algorithm is `key_algorithm`.
    public var algorithm: SigningAlgorithm? {
        if case .idToken(let algorithm) = self { algorithm } else { nil }
    }

    /// A stored `line` value; nil for one this version does not know (HS256 is never an ID-token line).
    public init?(storedName: String) {
        if storedName.isEmpty {
            self = .main
        } else if let algorithm = SigningAlgorithm(rawValue: storedName), algorithm.isPublishable {
            self = .idToken(algorithm)
        } else {
            return nil
        }
    }
}
