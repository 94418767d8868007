/// An OAuth error response: the one value every protocol failure becomes, turned into the
/// RFC 6749 §5.2 JSON body (`error`, `error_description`) and HTTP status in one place.
///
/// `description` is for the client's developer. It never carries a secret, a token or a value
/// the client sent; at most a parameter *name*. Where telling two failures apart would help an
/// attacker (unknown client versus wrong secret), callers use one shared description.
public struct OAuthError: Error, Equatable, Sendable {
    /// The registered `error` codes Tessera sends.
    public enum Code: String, Sendable, CaseIterable {
        // RFC 6749 §5.2 (token endpoint) and §4.1.2.1 (authorization endpoint)
        case invalidRequest = "invalid_request"
        case invalidClient = "invalid_client"
        case invalidGrant = "invalid_grant"
        case unauthorizedClient = "unauthorized_client"
        case unsupportedGrantType = "unsupported_grant_type"
        case invalidScope = "invalid_scope"
        case accessDenied = "access_denied"
        case unsupportedResponseType = "unsupported_response_type"
        case serverError = "server_error"
        case temporarilyUnavailable = "temporarily_unavailable"
        // RFC 8707 §2 (resource indicators) and RFC 8693 §2.2.2 (token exchange)
        case invalidTarget = "invalid_target"
        // RFC 7009 §2.2.1 (revocation)
        case unsupportedTokenType = "unsupported_token_type"
        // RFC 8628 §3.5 (device authorization polling)
        case authorizationPending = "authorization_pending"
        case slowDown = "slow_down"
        case expiredToken = "expired_token"
        // OpenID Connect Core §3.1.2.6 (prompt=none)
        case loginRequired = "login_required"
        case consentRequired = "consent_required"
        case interactionRequired = "interaction_required"
        // RFC 9449 §12.2 (DPoP)
        case invalidDPoPProof = "invalid_dpop_proof"
        case useDPoPNonce = "use_dpop_nonce"
        // RFC 9101 §6.2 and OpenID Connect Core §3.1.2.6 (request objects, request_uri)
        case invalidRequestObject = "invalid_request_object"
        case invalidRequestURI = "invalid_request_uri"
        case requestURINotSupported = "request_uri_not_supported"
        // RFC 7591 §3.2.2 (dynamic client registration)
        case invalidRedirectURI = "invalid_redirect_uri"
        case invalidClientMetadata = "invalid_client_metadata"
        case invalidSoftwareStatement = "invalid_software_statement"
        case unapprovedSoftwareStatement = "unapproved_software_statement"
        // RFC 6750 §3.1: a bearer token (initial or registration access token) that is no good
        case invalidToken = "invalid_token"
        // Not an OAuth registry code: a client over its request budget (answered 429).
        case rateLimited = "rate_limited"
    }

    public let code: Code
    /// Human-readable detail for `error_description`; restricted to the characters RFC 6749
    /// §5.2 allows (printable ASCII without `"` and `\`).
    public let description: String?
    /// Whether the client tried HTTP Basic authentication; decides the `WWW-Authenticate`
    /// challenge of an `invalid_client` answer (RFC 6749 §5.2).
    public let clientUsedBasicScheme: Bool
    /// For `rate_limited`: whole seconds until a retry may succeed (`Retry-After`).
    public var retryAfter: Int?
    /// For `use_dpop_nonce` (RFC 9449 §8): the nonce the client must put in its next proof,
    /// sent as the `DPoP-Nonce` header.
    public var dpopNonce: String?
    /// An answer whose status the code alone does not decide: 403 for a registration the
    /// tenant does not allow.
    public var statusOverride: Int?

    /// The realm named in Tessera's Basic challenges.
    public static let realm = "tessera"

    /// For `invalid_token`: whether the request carried a bearer token at all.
    public var bearerPresented = true

    public init(_ code: Code, _ description: String? = nil, clientUsedBasicScheme: Bool = false) {
        self.code = code
        self.description = description.map(Self.sanitized)
        self.clientUsedBasicScheme = clientUsedBasicScheme
    }

    /// HTTP status. RFC 6749 §5.2: 400 unless stated otherwise; `invalid_client` is 401 (the
    /// token endpoint answers 401 whenever client authentication failed, and INTERFACE.md fixes
    /// 401 for every `invalid_client`). RFC 6749 §4.1.2.1 borrows 500 and 503 for its two
    /// server-side codes.
    public var status: Int {
        if let statusOverride { return statusOverride }
        return switch code {
        case .invalidClient, .invalidToken: 401
        case .rateLimited: 429
        case .serverError: 500
        case .temporarilyUnavailable: 503
        default: 400
        }
    }

    /// The `WWW-Authenticate` header value for `invalid_client`, nil for every other code.
    ///
    /// RFC 6749 §5.2: a 401 MUST carry a challenge matching the scheme the client used; Tessera
    /// names the error in it when the client did use Basic. A client that authenticated in the
    /// body still gets a 401, with a plain Basic challenge naming the scheme it could use.
    public var wwwAuthenticate: String? {
        // RFC 6750 §3: a request without a token gets the bare challenge, one with a bad token
        // the error too (`bearerPresented`).
        if code == .invalidToken {
            return bearerPresented
                ? "Bearer realm=\"\(Self.realm)\", error=\"invalid_token\"" : "Bearer realm=\"\(Self.realm)\""
        }
        guard code == .invalidClient else { return nil }
        return clientUsedBasicScheme
            ? "Basic realm=\"\(Self.realm)\", error=\"\(code.rawValue)\""
            : "Basic realm=\"\(Self.realm)\""
    }

    /// The RFC 6749 §5.2 JSON members.
    public var body: [String: String] {
        var body = ["error": code.rawValue]
        if let description { body["error_description"] = description }
        return body
    }

    /// RFC 6749 §5.2: `error_description` is `%x20-21 / %x23-5B / %x5D-7E`. Anything else is
    /// replaced rather than dropped, so the message stays readable and cannot break out of a
    /// header or a JSON string.
    static func sanitized(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars.prefix(500) {
            switch scalar.value {
            case 0x22: scalars.append("'")
            case 0x5C: scalars.append("/")
            case 0x20...0x7E: scalars.append(scalar)
            default: scalars.append("?")
            }
        }
        return String(scalars)
    }
}

extension OAuthError {
    public static func invalidRequest(_ description: String? = nil) -> OAuthError {
        .init(.invalidRequest, description)
    }
    public static func invalidClient(_ description: String? = nil, clientUsedBasicScheme: Bool = false) -> OAuthError {
        .init(.invalidClient, description, clientUsedBasicScheme: clientUsedBasicScheme)
    }
    public static func invalidGrant(_ description: String? = nil) -> OAuthError { .init(.invalidGrant, description) }
    public static func unauthorizedClient(_ description: String? = nil) -> OAuthError {
        .init(.unauthorizedClient, description)
    }
    public static func unsupportedGrantType(_ description: String? = nil) -> OAuthError {
        .init(.unsupportedGrantType, description)
    }
    public static func invalidScope(_ description: String? = nil) -> OAuthError { .init(.invalidScope, description) }
    public static func invalidTarget(_ description: String? = nil) -> OAuthError { .init(.invalidTarget, description) }
    public static func accessDenied(_ description: String? = nil) -> OAuthError { .init(.accessDenied, description) }
    public static func unsupportedResponseType(_ description: String? = nil) -> OAuthError {
        .init(.unsupportedResponseType, description)
    }
    public static func serverError(_ description: String? = nil) -> OAuthError { .init(.serverError, description) }
    public static func temporarilyUnavailable(_ description: String? = nil) -> OAuthError {
        .init(.temporarilyUnavailable, description)
    }
    public static func unsupportedTokenType(_ description: String? = nil) -> OAuthError {
        .init(.unsupportedTokenType, description)
    }
    public static func authorizationPending(_ description: String? = nil) -> OAuthError {
        .init(.authorizationPending, description)
    }
    public static func slowDown(_ description: String? = nil) -> OAuthError { .init(.slowDown, description) }
    public static func expiredToken(_ description: String? = nil) -> OAuthError { .init(.expiredToken, description) }
    public static func loginRequired(_ description: String? = nil) -> OAuthError { .init(.loginRequired, description) }
    public static func consentRequired(_ description: String? = nil) -> OAuthError {
        .init(.consentRequired, description)
    }
    public static func interactionRequired(_ description: String? = nil) -> OAuthError {
        .init(.interactionRequired, description)
    }
    public static func invalidDPoPProof(_ description: String? = nil) -> OAuthError {
        .init(.invalidDPoPProof, description)
    }
    public static func useDPoPNonce(_ description: String? = nil) -> OAuthError { .init(.useDPoPNonce, description) }
    public static func invalidRequestObject(_ description: String? = nil) -> OAuthError {
        .init(.invalidRequestObject, description)
    }
    public static func invalidRequestURI(_ description: String? = nil) -> OAuthError {
        .init(.invalidRequestURI, description)
    }
    public static func invalidRedirectURI(_ description: String? = nil) -> OAuthError {
        .init(.invalidRedirectURI, description)
    }
    public static func invalidClientMetadata(_ description: String? = nil) -> OAuthError {
        .init(.invalidClientMetadata, description)
    }
    public static func invalidSoftwareStatement(_ description: String? = nil) -> OAuthError {
        .init(.invalidSoftwareStatement, description)
    }
    public static func unapprovedSoftwareStatement(_ description: String? = nil) -> OAuthError {
        .init(.unapprovedSoftwareStatement, description)
    }
    public static func invalidToken(_ description: String? = nil, presented: Bool = true) -> OAuthError {
        var error = OAuthError(.invalidToken, description)
        error.bearerPresented = presented
        return error
    }
    /// 403: what the tenant does not allow at all (registration closed, its cap reached).
    public static func forbidden(_ description: String) -> OAuthError {
        var error = OAuthError(.accessDenied, description)
        error.statusOverride = 403
        return error
    }
}
