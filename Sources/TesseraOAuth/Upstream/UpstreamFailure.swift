/// Why a sign-in through an upstream provider did not end signed in. The page the person sees
/// says which, in words; nothing here is a server error (a refusal is never a 5xx).
public enum UpstreamFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// The metadata could not be fetched or is unusable.
    case discovery(String)
    /// The provider's keys could not be fetched or read.
    case keys(String)
    /// The token endpoint refused the code or answered something unusable.
    case token(String)
    /// The ID token failed a check of OIDC Core §3.1.3.7.
    case idToken(UpstreamIDTokenRejection)

    public var description: String {
        switch self {
        case .discovery(let reason), .keys(let reason), .token(let reason): reason
        case .idToken(let rejection): "the provider's ID token was refused: \(rejection)"
        }
    }
}
