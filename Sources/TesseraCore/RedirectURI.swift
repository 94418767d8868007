import Foundation

/// A registered redirection endpoint (RFC 6749 §3.1.2), checked once at registration so that
/// matching at the authorization endpoint can be a plain comparison.
public struct RedirectURI: Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(_ value: String) throws(ValidationError) {
        let invalid = { (why: String) in
            ValidationError(field: "redirect-uri", "'\(value)' is not a valid redirect URI: \(why)")
        }
        guard value.utf8.count <= 2_000, !value.contains(where: { $0.isWhitespace }) else {
            throw invalid("it must be one URI of at most 2000 characters without spaces")
        }
        guard let components = URLComponents(string: value), let scheme = components.scheme?.lowercased() else {
            throw invalid("it must be an absolute URI such as https://app.example.com/callback")
        }
        guard components.fragment == nil else { throw invalid("it must not contain a fragment (RFC 6749 §3.1.2)") }
        switch scheme {
        case "https":
            guard let host = components.host, !host.isEmpty else { throw invalid("it has no host") }
        case "http":
            // RFC 8252 §7.3 and RFC 9700 §2.1: plain http only for the loopback interface.
            guard let host = components.host, Self.loopbackHosts.contains(host.lowercased()) else {
                throw invalid("http is allowed only for loopback (127.0.0.1, [::1] or localhost); use https")
            }
        case "javascript", "data", "file", "vbscript", "about", "blob":
            throw invalid("the scheme '\(scheme)' is never a redirect target")
        default:
            // RFC 8252 §7.1: private-use schemes for native apps are reverse domain names.
            guard scheme.contains(".") else {
                throw invalid("a private-use scheme must be a reverse domain name such as com.example.app")
            }
        }
        self.rawValue = value
    }

    static let loopbackHosts: Set<String> = ["127.0.0.1", "[::1]", "::1", "localhost"]

    /// True for `http://127.0.0.1` and `http://[::1]`, whose port the native app picks at run time.
    public var isLoopbackIPLiteral: Bool {
        guard let components = URLComponents(string: rawValue), components.scheme?.lowercased() == "http",
            let host = components.host
        else { return false }
        return host == "127.0.0.1" || host == "::1" || host == "[::1]"
    }

    /// The one place redirect URIs are compared: exact string match, except that a loopback
    /// IP-literal URI matches on any port (RFC 8252 §7.3).
    public func matches(_ requested: String) -> Bool {
        if requested == rawValue { return true }
        guard isLoopbackIPLiteral,
            var registered = URLComponents(string: rawValue),
            var candidate = URLComponents(string: requested),
            candidate.scheme == registered.scheme, candidate.host == registered.host
        else { return false }
        registered.port = nil
        candidate.port = nil
        return registered.string == candidate.string
    }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        self = try RedirectURI(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
