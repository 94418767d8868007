/// Who may register a client at the tenant's registration endpoint (RFC 7591 §3; INTERFACE.md
/// `registration`): nobody (the default, and the endpoint is not in the metadata); holders of an
/// initial access token an administrator issued; anyone.
public enum RegistrationMode: String, Sendable, Codable, CaseIterable {
    case closed
    case initialAccessToken = "initial_access_token"
    case open
}
