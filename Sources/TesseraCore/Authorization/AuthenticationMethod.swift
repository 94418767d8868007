/// How a user proved who they are, as RFC 8176 names it for the `amr` claim (OIDC Core §2).
public enum AuthenticationMethod: String, Sendable, Codable, CaseIterable {
    /// A password.
    case password = "pwd"
    /// A one-time password (TOTP).
    case oneTimePassword = "otp"
    /// Proof of possession of a hardware-secured key: a passkey (RFC 8176 §2 `hwk`).
    case hardwareKey = "hwk"
    /// The user-presence test that comes with every passkey use (RFC 8176 §2 `user`); not a
    /// factor of its own.
    case userPresence = "user"
    /// More than one factor: RFC 8176 §2 `mfa`, added when two were used, and kept when the
    /// sign-in put it in itself (a passkey that verified the user with a PIN or biometric is a
    /// multi-factor authenticator: possession and the user's knowledge or body, at once).
    case multipleFactors = "mfa"

    /// The `amr` values of a sign-in with these methods, `mfa` added when two factors were used.
    public static func claim(_ methods: [AuthenticationMethod]) -> [String] {
        let distinct = methods.reduce(into: [AuthenticationMethod]()) { if !$0.contains($1) { $0.append($1) } }
            .filter { $0 != .multipleFactors }
        let factors = distinct.filter { $0 != .userPresence }.count
        let multiple = factors > 1 || methods.contains(.multipleFactors)
        return (multiple ? distinct + [.multipleFactors] : distinct).map(\.rawValue)
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
        self =
            AuthenticationMethod.claim(methods).contains(AuthenticationMethod.multipleFactors.rawValue)
            ? .twoFactors : .oneFactor
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
