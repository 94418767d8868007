import Foundation
import TesseraCore

// The JSON shapes of tenants, clients, users, scopes and keys: one definition for the CLI's
// `--json` and the admin API, so a script can move from one to the other. Each type's coding
// keys are its one declaration: member names for Codable and, with each member's schema, its
// entry in the OpenAPI document.

public struct TenantRepresentation: AdminRepresentation, Sendable {
    static let schemaName = "Tenant"
    typealias Keys = CodingKeys

    public let id: String
    public let slug: String
    public let name: String
    public let issuer: String
    public let status: String
    public let settings: TenantSettings
    public let createdAt: Date

    public init(_ tenant: Tenant, publicURL: PublicURL) {
        id = tenant.id.uuidString.lowercased()
        slug = tenant.slug.rawValue
        name = tenant.name
        issuer = publicURL.issuer(for: tenant.slug)
        status = tenant.status.rawValue
        settings = tenant.settings
        createdAt = tenant.createdAt
    }

    enum CodingKeys: String, SchemaKey {
        case id, slug, name, issuer, status, settings
        case createdAt = "created_at"

        var schema: MemberSchema {
            switch self {
            case .id, .slug, .name, .issuer: .text
            case .status: .string(values: Tenant.Status.allCases.map(\.rawValue))
            case .settings: .reference("TenantSettings")
            case .createdAt: .dateTime
            }
        }

        var isRequired: Bool { true }
    }
}

public struct ClientRepresentation: AdminRepresentation, Sendable {
    static let schemaName = "Client"
    typealias Keys = CodingKeys

    public let clientID: String
    /// Present only in the answer to creation or secret rotation: it is not stored.
    public let clientSecret: String?
    public let tenant: String
    public let name: String
    public let isPublic: Bool
    public let authMethod: String
    public let grantTypes: [String]
    public let scope: String
    public let redirectURIs: [String]
    public let postLogoutRedirectURIs: [String]
    public let audiences: [String]
    public let accessTokenTTL: Int?
    public let dpopBoundAccessTokens: Bool
    public let certificateBoundAccessTokens: Bool
    public let pushedAuthorizationRequests: Bool
    public let signedRequestObject: Bool
    /// As registered; null when the default rule decides (docs/refresh-rotation.md).
    public let refreshTokenRotation: String?
    /// RFC 8705 §2.1.2: the certificate attribute a `tls_client_auth` client is known by.
    public let certificateSubject: [String: String]?
    /// The `acr` every sign-in for the client must meet, if any (docs/second-factor.md).
    public let requiredACR: String?
    /// OIDC Back-Channel Logout 1.0 §2.2, when registered.
    public let backchannelLogoutURI: String?
    public let backchannelLogoutSessionRequired: Bool
    /// OIDC Registration §2, as registered (`Ed25519` for EdDSA keys, RFC 9864); null: the
    /// tenant's `key_algorithm`.
    public let idTokenSignedResponseAlg: String?
    public let status: String
    /// Who made it (docs/dynamic-client-registration.md).
    public let origin: String
    /// An administrator vouches for it; false for a client that registered itself until one does.
    public let verified: Bool
    public let version: Int
    public let createdAt: Date

    public init(_ client: Client, tenant: TenantSlug, secret: String? = nil) {
        backchannelLogoutURI = client.backchannelLogout?.uri
        backchannelLogoutSessionRequired = client.backchannelLogout?.sessionRequired ?? false
        clientID = client.id
        clientSecret = secret
        self.tenant = tenant.rawValue
        name = client.name
        isPublic = client.isPublic
        authMethod = client.authMethod.rawValue
        grantTypes = client.grantTypes.map(\.rawValue)
        scope = client.scopes.description
        redirectURIs = client.redirectURIs.map(\.rawValue)
        postLogoutRedirectURIs = client.postLogoutRedirectURIs.map(\.rawValue)
        audiences = client.audiences
        accessTokenTTL = client.accessTokenTTL
        dpopBoundAccessTokens = client.requirements.dpopBoundAccessTokens
        certificateBoundAccessTokens = client.requirements.certificateBoundAccessTokens
        pushedAuthorizationRequests = client.requirements.pushedAuthorizationRequests
        signedRequestObject = client.requirements.signedRequestObject
        refreshTokenRotation = client.requirements.refreshTokenRotation?.rawValue
        certificateSubject = client.requirements.certificateSubject.map { [$0.name: $0.value] }
        requiredACR = client.requirements.requiredContext?.rawValue
        idTokenSignedResponseAlg = client.requirements.idTokenSigningAlgorithm?.jwsAlgorithm
        status = client.status.rawValue
        origin = client.origin.rawValue
        verified = client.verified
        version = client.version
        createdAt = client.createdAt
    }

    enum CodingKeys: String, SchemaKey {
        case tenant, name, audiences, status, version, scope, origin, verified
        case clientID = "client_id"
        case clientSecret = "client_secret"
        case isPublic = "public"
        case authMethod = "token_endpoint_auth_method"
        case grantTypes = "grant_types"
        case redirectURIs = "redirect_uris"
        case postLogoutRedirectURIs = "post_logout_redirect_uris"
        case accessTokenTTL = "access_token_ttl"
        case dpopBoundAccessTokens = "dpop_bound_access_tokens"
        case certificateBoundAccessTokens = "tls_client_certificate_bound_access_tokens"
        case pushedAuthorizationRequests = "require_pushed_authorization_requests"
        case signedRequestObject = "require_signed_request_object"
        case refreshTokenRotation = "refresh_token_rotation"
        case certificateSubject = "tls_client_auth"
        case requiredACR = "required_acr"
        case backchannelLogoutURI = "backchannel_logout_uri"
        case backchannelLogoutSessionRequired = "backchannel_logout_session_required"
        case idTokenSignedResponseAlg = "id_token_signed_response_alg"
        case createdAt = "created_at"

        var schema: MemberSchema {
            switch self {
            case .clientID, .tenant, .name, .authMethod, .scope, .backchannelLogoutURI: .text
            case .backchannelLogoutSessionRequired: .boolean
            case .dpopBoundAccessTokens, .certificateBoundAccessTokens, .pushedAuthorizationRequests,
                .signedRequestObject:
                .boolean
            case .refreshTokenRotation: .string(values: RefreshTokenRotation.allCases.map(\.rawValue))
            case .certificateSubject:
                .described(.anyObject, "the tls_client_auth_* member (RFC 8705 §2.1.2) and its value, if registered")
            case .requiredACR: .string(values: AuthenticationContext.allCases.map(\.rawValue))
            case .idTokenSignedResponseAlg:
                .described(
                    .string(values: SigningAlgorithm.idTokenAlgorithms.map(\.jwsAlgorithm)),
                    "OIDC Registration §2, as registered; null: the tenant's key_algorithm")
            case .clientSecret: .described(.text, "only when just created or rotated")
            case .isPublic: .boolean
            case .grantTypes, .redirectURIs, .audiences, .postLogoutRedirectURIs: .strings
            case .accessTokenTTL: .integer()
            case .status: .string(values: Client.Status.allCases.map(\.rawValue))
            case .origin:
                .described(
                    .string(values: ClientOrigin.allCases.map(\.rawValue)),
                    "admin, or registration (RFC 7591), or metadata_document")
            case .verified: .described(.boolean, "an administrator vouches for a client that registered itself")
            case .version: .integer()
            case .createdAt: .dateTime
            }
        }

        var isRequired: Bool {
            ![
                .clientSecret, .accessTokenTTL, .refreshTokenRotation, .certificateSubject, .requiredACR,
                .backchannelLogoutURI, .idTokenSignedResponseAlg,
            ].contains(self)
        }
        var isNullableOutput: Bool {
            [
                .accessTokenTTL, .refreshTokenRotation, .certificateSubject, .requiredACR, .backchannelLogoutURI,
                .idTokenSignedResponseAlg,
            ].contains(self)
        }
    }
}

public struct UserRepresentation: AdminRepresentation, Sendable {
    static let schemaName = "User"
    typealias Keys = CodingKeys

    public let id: String
    public let tenant: String
    public let username: String
    public let status: String
    /// docs/admin-roles.md: what the person may administer here.
    public let roles: [String]
    public let createdAt: Date

    public init(_ user: User, tenant: TenantSlug) {
        id = user.id.uuidString.lowercased()
        self.tenant = tenant.rawValue
        username = user.username
        status = user.status.rawValue
        roles = user.roles.map(\.rawValue)
        createdAt = user.createdAt
    }

    enum CodingKeys: String, SchemaKey {
        case id, tenant, username, status, roles
        case createdAt = "created_at"

        var schema: MemberSchema {
            switch self {
            case .id, .tenant, .username: .text
            case .status: .string(values: User.Status.allCases.map(\.rawValue))
            case .roles: .array(.string(values: AdminRole.allCases.map(\.rawValue)))
            case .createdAt: .dateTime
            }
        }

        var isRequired: Bool { true }
    }
}

public struct ScopeRepresentation: AdminRepresentation, Sendable {
    static let schemaName = "Scope"
    typealias Keys = CodingKeys

    public let tenant: String
    public let name: String
    public let description: String

    enum CodingKeys: String, SchemaKey {
        case tenant, name, description

        var schema: MemberSchema { .text }
        var isRequired: Bool { true }
    }

    public init(_ scope: Scope, tenant: TenantSlug) {
        self.tenant = tenant.rawValue
        name = scope.name
        description = scope.description
    }
}

/// A signing key as operators see it: never any private material.
public struct SigningKeyRepresentation: AdminRepresentation, Sendable {
    static let schemaName = "SigningKey"
    typealias Keys = CodingKeys

    public let kid: String
    public let alg: String
    public let state: String
    public let published: Bool
    /// `main` (access tokens, and ID tokens by default) or `id_token` (ID tokens of clients that
    /// registered this algorithm; docs/id-token-signing.md).
    public let line: String
    public let createdAt: Date
    public let activatedAt: Date?
    public let deactivatedAt: Date?
    public let retireAfter: Date?
    public let endedAt: Date?

    public init(_ key: SigningKeyRecord) {
        kid = key.kid
        alg = key.algorithm.jwsAlgorithm
        state = key.state.rawValue
        published = key.state.isPublished && key.algorithm.isPublishable
        line = key.line == .main ? "main" : "id_token"
        createdAt = key.createdAt
        activatedAt = key.activatedAt
        deactivatedAt = key.deactivatedAt
        retireAfter = key.retireAfter
        endedAt = key.endedAt
    }

    enum CodingKeys: String, SchemaKey {
        case kid, alg, state, published, line
        case createdAt = "created_at"
        case activatedAt = "activated_at"
        case deactivatedAt = "deactivated_at"
        case retireAfter = "retire_after"
        case endedAt = "ended_at"

        var schema: MemberSchema {
            switch self {
            case .kid, .alg, .state: .text
            case .published: .boolean
            case .line: .string(values: ["main", "id_token"])
            case .createdAt, .activatedAt, .deactivatedAt, .retireAfter, .endedAt: .dateTime
            }
        }

        var isRequired: Bool { [.kid, .alg, .state, .published, .line, .createdAt].contains(self) }
    }
}
