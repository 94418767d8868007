import Foundation

/// An application registered with a tenant. Confidential clients hold a secret (stored as its
/// SHA-256) or a JWKS for `private_key_jwt`; public clients hold nothing and use `none`.
public struct Client: Sendable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case active
        case disabled
    }

    public let tenantID: UUID
    public let id: String
    public var name: String
    public var authMethod: ClientAuthMethod
    public var secretHash: SecretHash?
    /// For `private_key_jwt`: the client's public keys as a JWKS document.
    public var jwks: String?
    public var grantTypes: [GrantType]
    public var scopes: ScopeSet
    public var redirectURIs: [RedirectURI]
    /// OIDC RP-Initiated Logout §3.1: where users may be sent after signing out, exactly.
    public var postLogoutRedirectURIs: [RedirectURI]
    /// OIDC Back-Channel Logout 1.0 §2.2: where logout tokens go when a session it reached ends.
    public var backchannelLogout: BackChannelLogout?
    /// Audiences (RFC 8707 resources) tokens of this client may name; the first is the default.
    public var audiences: [String]
    /// Overrides the tenant's access token lifetime for this client when set.
    public var accessTokenTTL: Int?
    /// Sender constraints, pushed and signed requests, refresh rotation (RFC 7591 metadata).
    public var requirements: ClientRequirements
    public var status: Status
    /// Who made it (docs/dynamic-client-registration.md); `.admin` unless set.
    public var origin: ClientOrigin = .admin
    /// An administrator vouches for it: always so for what an administrator made.
    public var verified = true
    /// For a self-registered client: its RFC 7592 token and the metadata it registered.
    public var registration: ClientRegistrationRecord?
    /// When a token was last issued to it, to the day (self-registered clients only).
    public var lastUsedAt: Date?
    /// Bumped on every change; the admin API's ETag and the cache's staleness check.
    public var version: Int
    public let createdAt: Date
    public var updatedAt: Date

    public init(
        tenantID: UUID, id: String, name: String, authMethod: ClientAuthMethod, secretHash: SecretHash? = nil,
        jwks: String? = nil, grantTypes: [GrantType], scopes: ScopeSet, redirectURIs: [RedirectURI] = [],
        postLogoutRedirectURIs: [RedirectURI] = [],
        audiences: [String] = [], accessTokenTTL: Int? = nil, requirements: ClientRequirements = .none,
        status: Status = .active, version: Int = 1,
        createdAt: Date, updatedAt: Date? = nil
    ) {
        self.tenantID = tenantID
        self.id = id
        self.name = name
        self.authMethod = authMethod
        self.secretHash = secretHash
        self.jwks = jwks
        self.grantTypes = grantTypes
        self.scopes = scopes
        self.redirectURIs = redirectURIs
        self.postLogoutRedirectURIs = postLogoutRedirectURIs
        self.audiences = audiences
        self.accessTokenTTL = accessTokenTTL
        self.requirements = requirements
        self.status = status
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.backchannelLogout = nil
    }

    public var isPublic: Bool { authMethod == .none }

    /// Seconds a client's own access-token lifetime may be.
    public static let accessTokenTTLRange = 30...86_400

    /// A fresh client id: 128 random bits, URL-safe, unguessable across tenants.
    public static func generateID() -> String { RandomToken.generate(bytes: 16) }

    /// The registration rules every creation and update goes through, whatever its source.
    public func validate() throws(ValidationError) {
        _ = try Tenant.validateName(name)
        guard !grantTypes.isEmpty else {
            throw ValidationError(field: "grant", "a client needs at least one grant")
        }
        if isPublic {
            if let grant = grantTypes.first(where: { !$0.isAllowedForPublicClients }) {
                throw ValidationError(
                    field: "grant", "a public client cannot use '\(grant.rawValue)': it holds no secret")
            }
        } else if authMethod.usesSecret, secretHash == nil {
            throw ValidationError(field: "client_secret", "a confidential client needs a secret")
        } else if authMethod == .privateKeyJWT || authMethod == .selfSignedTLSClientAuth, jwks?.isEmpty ?? true {
            throw ValidationError(field: "jwks", "\(authMethod.rawValue) needs the client's public keys (JWKS)")
        } else if authMethod == .tlsClientAuth, requirements.certificateSubject == nil {
            throw ValidationError(
                field: "tls_client_auth_subject_dn",
                "tls_client_auth needs the certificate's subject DN or one subject alternative name")
        }
        if grantTypes.contains(.authorizationCode), redirectURIs.isEmpty {
            throw ValidationError(
                field: "redirect-uri", "the authorization_code grant needs at least one redirect URI")
        }
        if grantTypes.contains(.refreshToken),
            !grantTypes.contains(.authorizationCode) && !grantTypes.contains(.deviceCode)
        {
            throw ValidationError(
                field: "grant", "refresh_token comes with authorization_code or the device code grant")
        }
        for audience in audiences {
            try Self.validateAudience(audience)
        }
        if let ttl = accessTokenTTL, !Self.accessTokenTTLRange.contains(ttl) {
            throw ValidationError(field: "access_token_ttl", "must be between 30 and 86400 seconds")
        }
        if (requirements.pushedAuthorizationRequests || requirements.signedRequestObject),
            !grantTypes.contains(.authorizationCode)
        {
            throw ValidationError(
                field: requirements.pushedAuthorizationRequests
                    ? "require_pushed_authorization_requests" : "require_signed_request_object",
                "applies to authorization requests: the client needs the authorization_code grant")
        }
        if requirements.signedRequestObject, jwks?.isEmpty ?? true {
            throw ValidationError(
                field: "require_signed_request_object", "signed request objects need the client's public keys (JWKS)")
        }
        if let algorithm = requirements.idTokenSigningAlgorithm, !SigningAlgorithm.idTokenAlgorithms.contains(algorithm)
        {
            throw ValidationError(
                field: "id_token_signed_response_alg",
                "'\(algorithm.rawValue)' is not one of ES256, RS256, Ed25519 (EdDSA)")
        }
        // RFC 9700 §4.14.2: a public client's refresh token is either rotated or sender-constrained.
        if isPublic, requirements.refreshTokenRotation == .reuse, !requirements.dpopBoundAccessTokens {
            throw ValidationError(
                field: "refresh_token_rotation",
                "a public client's refresh tokens are rotated unless they are DPoP-bound (dpop_bound_access_tokens)")
        }
    }

    /// Audiences are RFC 8707 resource identifiers: absolute URIs, or plain names for internal APIs.
    public static func validateAudience(_ audience: String) throws(ValidationError) {
        guard !audience.isEmpty, audience.utf8.count <= 500,
            !audience.contains(where: { $0.isWhitespace || $0.isNewline }), !audience.contains("#")
        else {
            throw ValidationError(
                field: "audience", "'\(audience)' is not a valid audience: one token of at most 500 characters, no '#'")
        }
    }
}
