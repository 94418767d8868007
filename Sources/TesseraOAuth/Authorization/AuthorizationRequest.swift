import Foundation
import TesseraCore

/// An authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, OIDC Core §3.1.2.1) after every
/// check: the client exists and may use the flow, the redirect URI is registered, PKCE is S256,
/// scopes and audiences are within the client's registration. It travels sealed through the
/// login and consent pages, so those pages need not check it again.
public struct AuthorizationRequest: Codable, Sendable, Equatable {
    public enum Prompt: String, Codable, Sendable, CaseIterable {
        case none
        case login
        case consent
    }

    public let clientID: String
    public let redirectURI: String
    public let scope: ScopeSet
    public let state: String?
    public let codeChallenge: String
    public let nonce: String?
    public let audience: [String]
    public let prompts: Set<Prompt>
    /// OIDC `max_age`: the user must have signed in within this many seconds.
    public let maxAge: Int?
    /// RFC 9449 §10 `dpop_jkt`: the code goes only with a DPoP proof by this key.
    public let dpopJKT: String?
    /// OIDC Core §3.1.2.1 `acr_values`: the strongest class asked for that Tessera knows.
    public var requestedContext: AuthenticationContext?

    public init(
        clientID: String, redirectURI: String, scope: ScopeSet, state: String?, codeChallenge: String,
        nonce: String?, audience: [String], prompts: Set<Prompt>, maxAge: Int?, dpopJKT: String? = nil
    ) {
        self.clientID = clientID
        self.redirectURI = redirectURI
        self.scope = scope
        self.state = state
        self.codeChallenge = codeChallenge
        self.nonce = nonce
        self.audience = audience
        self.prompts = prompts
        self.maxAge = maxAge
        self.dpopJKT = dpopJKT
    }

    /// The redirect back to the client (RFC 6749 §4.1.2), with `iss` (RFC 9207) so a client
    /// talking to several servers knows which one answered.
    public func response(_ parameters: [(String, String)], issuer: String) -> String {
        Self.response(parameters, redirectURI: redirectURI, state: state, issuer: issuer)
    }

    public func errorResponse(_ error: OAuthError, issuer: String) -> String {
        Self.errorResponse(error, redirectURI: redirectURI, state: state, issuer: issuer)
    }

    /// §4.1.2.1, also for requests that failed validation after their redirect URI was trusted.
    static func errorResponse(_ error: OAuthError, redirectURI: String, state: String?, issuer: String) -> String {
        var parameters = [("error", error.code.rawValue)]
        if let description = error.description { parameters.append(("error_description", description)) }
        return response(parameters, redirectURI: redirectURI, state: state, issuer: issuer)
    }

    static func response(
        _ parameters: [(String, String)], redirectURI: String, state: String?, issuer: String
    ) -> String {
        var query = parameters
        if let state { query.append(("state", state)) }
        query.append(("iss", issuer))
        return append(query, to: redirectURI)
    }

    static func append(_ parameters: [(String, String)], to uri: String) -> String {
        uri + (uri.contains("?") ? "&" : "?") + FormEncoding.body(parameters)
    }
}

/// Percent-encoding of query components: everything but RFC 3986's unreserved characters.
public enum FormEncoding {
    /// `name=value&…`, each part encoded: a query, or an `application/x-www-form-urlencoded` body.
    public static func body(_ parameters: [(String, String)]) -> String {
        parameters.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    public static func encode(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
