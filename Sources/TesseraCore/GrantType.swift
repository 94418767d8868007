/// The `grant_type` values Tessera implements. Implicit and password grants are left out on
/// purpose (OAuth 2.1, RFC 9700 §2.4).
public enum GrantType: String, Sendable, Codable, CaseIterable, Comparable {
    case authorizationCode = "authorization_code"
    case refreshToken = "refresh_token"
    case clientCredentials = "client_credentials"
    case deviceCode = "urn:ietf:params:oauth:grant-type:device_code"
    case tokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"

    public init(validating text: String) throws(ValidationError) {
        guard let grant = GrantType(rawValue: text) else {
            throw ValidationError(
                field: "grant",
                "unknown grant '\(text)'; use one of \(GrantType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = grant
    }

    /// Grants a client without a secret may use: they are bound to a user's approval (and PKCE
    /// or a device code), never to the client's own identity.
    public var isAllowedForPublicClients: Bool {
        switch self {
        case .authorizationCode, .refreshToken, .deviceCode: true
        case .clientCredentials, .tokenExchange: false
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// How a client proves its identity at the token, introspection and revocation endpoints.
public enum ClientAuthMethod: String, Sendable, Codable, CaseIterable {
    case clientSecretBasic = "client_secret_basic"
    case clientSecretPost = "client_secret_post"
    case privateKeyJWT = "private_key_jwt"
    /// Public clients (native and browser apps, devices) that cannot keep a secret.
    case none = "none"
    /// RFC 8705 §2.1: a certificate from a CA the TLS proxy trusts, with a registered subject.
    case tlsClientAuth = "tls_client_auth"
    /// RFC 8705 §2.2: a certificate whose key is in the client's registered JWKS.
    case selfSignedTLSClientAuth = "self_signed_tls_client_auth"

    public var usesSecret: Bool { self == .clientSecretBasic || self == .clientSecretPost }
    /// RFC 8705 §2: the client proves itself by the TLS client certificate the proxy forwards.
    public var usesCertificate: Bool { self == .tlsClientAuth || self == .selfSignedTLSClientAuth }
}
