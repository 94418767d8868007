import Foundation

/// A client's OIDC Back-Channel Logout 1.0 §2.2 registration: where its logout tokens go, and
/// whether it needs `sid` in them (and in its ID tokens). Tessera always sends `sid`, so
/// `sessionRequired` only records what the client asked for.
public struct BackChannelLogout: Sendable, Equatable, Codable {
    /// `backchannel_logout_uri`.
    public let uri: String
    /// `backchannel_logout_session_required`.
    public let sessionRequired: Bool

    /// §2.2: an absolute URI, no fragment; query allowed. Tessera asks for `https`, and takes
    /// `http` only with a loopback host (127.0.0.0/8, `::1`, `localhost`) for development, as RFC
    /// 8252 does for native apps' redirect URIs. Whether a loopback target is contacted at all is
    /// the server's outbound policy (`TESSERA_OUTBOUND_ALLOW_LOOPBACK`).
    public init(uri: String, sessionRequired: Bool = false) throws(ValidationError) {
        let field = "backchannel_logout_uri"
        guard uri.utf8.count <= 2_000, !uri.contains(where: { $0.isWhitespace || $0.isNewline }),
            let components = URLComponents(string: uri), let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty
        else { throw ValidationError(field: field, "'\(uri)' is not an absolute URI") }
        guard components.fragment == nil, !uri.contains("#") else {
            throw ValidationError(field: field, "must not contain a fragment (Back-Channel Logout §2.2)")
        }
        guard components.user == nil, components.password == nil else {
            throw ValidationError(field: field, "must not carry credentials")
        }
        switch scheme {
        case "https": break
        case "http":
            guard Self.isLoopback(host: host) else {
                throw ValidationError(field: field, "must use https (http only for a loopback address)")
            }
        default:
            throw ValidationError(field: field, "must use https (http only for a loopback address)")
        }
        self.uri = uri
        self.sessionRequired = sessionRequired
    }

    /// `localhost`, an address in 127.0.0.0/8, or `::1`.
    public static func isLoopback(host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if bare == "localhost" || bare == "::1" { return true }
        let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    enum CodingKeys: String, CodingKey {
        case uri = "backchannel_logout_uri"
        case sessionRequired = "backchannel_logout_session_required"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        uri = try container.decode(String.self, forKey: .uri)
        sessionRequired = try container.decodeIfPresent(Bool.self, forKey: .sessionRequired) ?? false
    }
}
