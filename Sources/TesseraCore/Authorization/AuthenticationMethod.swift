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
