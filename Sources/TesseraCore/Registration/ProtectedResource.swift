import Foundation

/// A protected resource the tenant knows (INTERFACE.md `tessera resource create`): an API or an
/// MCP server, named by its RFC 8707 / RFC 9728 resource identifier, and the scopes it accepts.
/// Any client of the tenant, including those that registered themselves, may ask for
/// `resource=` one of these; the token's `aud` is then exactly that identifier.
public struct ProtectedResource: Sendable, Equatable, Codable {
    public let identifier: String
    public var name: String
    public var scopes: [String]

    public init(identifier: String, name: String, scopes: [String]) {
        self.identifier = identifier
        self.name = name
        self.scopes = scopes
    }

    /// RFC 9728 §1.2 / RFC 8707 §2: an absolute https URI without a fragment (http only on
    /// loopback, for development), of at most 500 characters.
    public static func validateIdentifier(_ text: String) throws(ValidationError) -> String {
        guard text.utf8.count <= 500, let url = URLComponents(string: text), url.fragment == nil,
            let host = url.host, !host.isEmpty, url.query == nil,
            url.scheme == "https"
                || (url.scheme == "http" && ["127.0.0.1", "[::1]", "::1", "localhost"].contains(host))
        else {
            throw ValidationError(
                field: "identifier",
                "'\(text.prefix(200))' is not a resource identifier: an https URL without query or fragment (http only on loopback)"
            )
        }
        return text
    }

    /// How many resources one tenant may register: they travel with the tenant in every cache.
    public static let maximumPerTenant = 200
}
