/// How a user proved who they are, as RFC 8176 names it for the `amr` claim (OIDC Core §2).
public enum AuthenticationMethod: String, Sendable, Codable, CaseIterable {
    /// A password.
    case password = "pwd"
    /// A one-time password (TOTP).
    case oneTimePassword = "otp"
    /// More than one factor: RFC 8176 §2 `mfa`, added when two were used.
    case multipleFactors = "mfa"

    /// The `amr` values of a sign-in with these factors, `mfa` added when there were two.
    public static func claim(_ factors: [AuthenticationMethod]) -> [String] {
        let distinct = factors.reduce(into: [AuthenticationMethod]()) { if !$0.contains($1) { $0.append($1) } }
            .filter { $0 != .multipleFactors }
        return (distinct.count > 1 ? distinct + [.multipleFactors] : distinct).map(\.rawValue)
    }
}

/// The authentication context classes (OIDC Core §2 `acr`) Tessera tells apart: a sign-in with
/// one factor, and one with two. A client asks for one with `acr_values`; the ID token says which
/// was met.
public enum AuthenticationContext: String, Sendable, Codable, CaseIterable {
    case oneFactor = "urn:tessera:acr:1fa"
    case twoFactors = "urn:tessera:acr:2fa"

    /// The class a sign-in with these methods meets.
    public init(_ methods: [AuthenticationMethod]) {
        self = methods.contains(.oneTimePassword) ? .twoFactors : .oneFactor
    }

    /// The strongest class among the requested `acr_values` this server knows; nil when none
    /// is known (OIDC Core §3.1.2.1: a voluntary request the OP may not meet).
    public static func requested(_ acrValues: String?) -> AuthenticationContext? {
        let values = Set((acrValues ?? "").split(separator: " ").map(String.init))
        if values.contains(twoFactors.rawValue) { return .twoFactors }
        if values.contains(oneFactor.rawValue) { return .oneFactor }
        return nil
    }
}
