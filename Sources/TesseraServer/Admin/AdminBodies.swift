import Foundation
import TesseraCore
import TesseraOAuth

// The JSON bodies the admin API reads. Each body's coding keys are its one declaration: the
// member names its Codable conformance reads and, with each member's schema, its entry in the
// OpenAPI document. Member names match the representations the API writes, so what a GET
// returns can be edited and sent back.

struct ClientCreateBody: AdminBody, Sendable {
    static let schemaName = "ClientCreate"
    typealias Keys = CodingKeys

    let name: String
    let isPublic: Bool?
    let authMethod: ClientAuthMethod?
    let jwks: String?
    let grantTypes: [String]?
    let scope: String?
    let redirectURIs: [String]?
    let postLogoutRedirectURIs: [String]?
    let audiences: [String]?
    let accessTokenTTL: Int?
    let dpopBoundAccessTokens: Bool?
    let certificateBoundAccessTokens: Bool?
    let pushedAuthorizationRequests: Bool?
    let signedRequestObject: Bool?
    let refreshTokenRotation: RefreshTokenRotation?
    let requiredACR: AuthenticationContext?
    let backchannelLogoutURI: String?
    let backchannelLogoutSessionRequired: Bool?
    let idTokenSignedResponseAlg: String?
    let tlsSubjectDN: String?
    let tlsSANDNS: String?
    let tlsSANURI: String?
    let tlsSANIP: String?
    let tlsSANEmail: String?

    enum CodingKeys: String, SchemaKey {
        case name, jwks, scope, audiences
        case isPublic = "public"
        case tlsSubjectDN = "tls_client_auth_subject_dn"
        case tlsSANDNS = "tls_client_auth_san_dns"
        case tlsSANURI = "tls_client_auth_san_uri"
        case tlsSANIP = "tls_client_auth_san_ip"
        case tlsSANEmail = "tls_client_auth_san_email"
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
        case requiredACR = "required_acr"
        case backchannelLogoutURI = "backchannel_logout_uri"
        case backchannelLogoutSessionRequired = "backchannel_logout_session_required"
        case idTokenSignedResponseAlg = "id_token_signed_response_alg"

        var schema: MemberSchema {
            switch self {
            case .name: .string(length: Tenant.nameLength)
            case .backchannelLogoutURI:
                .described(
                    .text, "OIDC Back-Channel Logout 1.0 §2.2: absolute https URI (http on loopback), no fragment")
            case .backchannelLogoutSessionRequired: .boolean
            case .idTokenSignedResponseAlg: Self.idTokenAlgorithmSchema
            case .isPublic: .boolean
            case .authMethod: .string(values: ClientAuthMethod.allCases.map(\.rawValue))
            case .jwks, .scope: .text
            case .tlsSubjectDN, .tlsSANDNS, .tlsSANURI, .tlsSANIP, .tlsSANEmail:
                .described(.text, "RFC 8705 §2.1.2, for tls_client_auth: exactly one of the five")
            case .grantTypes: .array(.string(values: GrantType.allCases.map(\.rawValue)))
            case .redirectURIs, .audiences, .postLogoutRedirectURIs: .strings
            case .accessTokenTTL: .integer(Client.accessTokenTTLRange)
            case .dpopBoundAccessTokens, .certificateBoundAccessTokens, .pushedAuthorizationRequests,
                .signedRequestObject:
                .boolean
            case .refreshTokenRotation: .string(values: RefreshTokenRotation.allCases.map(\.rawValue))
            case .requiredACR: .string(values: AuthenticationContext.allCases.map(\.rawValue))
            }
        }

        var isRequired: Bool { self == .name }
    }

    /// RFC 8705 §2.1.2: the one subject member sent, or a refusal when several were.
    func certificateSubject() throws(ValidationError) -> CertificateSubject? {
        let given = [
            (Keys.tlsSubjectDN, tlsSubjectDN), (.tlsSANDNS, tlsSANDNS), (.tlsSANURI, tlsSANURI), (.tlsSANIP, tlsSANIP),
            (.tlsSANEmail, tlsSANEmail),
        ].compactMap { key, value in value.map { CertificateSubject(name: key.rawValue, value: $0) } }
        guard given.count <= 1 else {
            throw ValidationError(field: given[1].name, "send one tls_client_auth subject member, not several")
        }
        return given.first
    }

    func registration() throws(ValidationError) -> Administration.ClientRegistration {
        var registration = Administration.ClientRegistration(
            name: name, isPublic: isPublic ?? (authMethod == ClientAuthMethod.none), authMethod: authMethod, jwks: jwks,
            grants: grantTypes ?? [], scopes: (scope ?? "").split(separator: " ").map(String.init),
            redirectURIs: redirectURIs ?? [], audiences: audiences ?? [], accessTokenTTL: accessTokenTTL,
            requirements: ClientRequirements(
                dpopBoundAccessTokens: dpopBoundAccessTokens ?? false,
                certificateBoundAccessTokens: certificateBoundAccessTokens ?? false,
                pushedAuthorizationRequests: pushedAuthorizationRequests ?? false,
                signedRequestObject: signedRequestObject ?? false, refreshTokenRotation: refreshTokenRotation,
                certificateSubject: try certificateSubject()))
        registration.postLogoutRedirectURIs = postLogoutRedirectURIs ?? []
        registration.requirements.requiredContext = requiredACR
        registration.backchannelLogoutURI = backchannelLogoutURI
        registration.backchannelLogoutSessionRequired = backchannelLogoutSessionRequired
        registration.idTokenSigningAlgorithm = idTokenSignedResponseAlg
        return registration
    }
}

struct ClientUpdateBody: AdminBody, Sendable {
    static let schemaName = "ClientUpdate"
    typealias Keys = CodingKeys

    let name: String?
    let grantTypes: [String]?
    let scope: String?
    let redirectURIs: [String]?
    let postLogoutRedirectURIs: [String]?
    let audiences: [String]?
    let accessTokenTTL: Int?
    let status: Client.Status?
    let dpopBoundAccessTokens: Bool?
    let certificateBoundAccessTokens: Bool?
    let pushedAuthorizationRequests: Bool?
    let signedRequestObject: Bool?
    let refreshTokenRotation: RefreshTokenRotation?
    let requiredACR: AuthenticationContext?
    let backchannelLogoutURI: String?
    let backchannelLogoutSessionRequired: Bool?
    let idTokenSignedResponseAlg: String?
    let verified: Bool?

    enum CodingKeys: String, SchemaKey {
        case name, scope, audiences, status, verified
        case grantTypes = "grant_types"
        case redirectURIs = "redirect_uris"
        case postLogoutRedirectURIs = "post_logout_redirect_uris"
        case accessTokenTTL = "access_token_ttl"
        case dpopBoundAccessTokens = "dpop_bound_access_tokens"
        case certificateBoundAccessTokens = "tls_client_certificate_bound_access_tokens"
        case pushedAuthorizationRequests = "require_pushed_authorization_requests"
        case signedRequestObject = "require_signed_request_object"
        case refreshTokenRotation = "refresh_token_rotation"
        case requiredACR = "required_acr"
        case backchannelLogoutURI = "backchannel_logout_uri"
        case backchannelLogoutSessionRequired = "backchannel_logout_session_required"
        case idTokenSignedResponseAlg = "id_token_signed_response_alg"

        var schema: MemberSchema {
            switch self {
            case .name: .string(length: Tenant.nameLength)
            case .backchannelLogoutURI:
                .described(.text, "OIDC Back-Channel Logout 1.0 §2.2; an empty string removes it")
            case .backchannelLogoutSessionRequired: .boolean
            case .idTokenSignedResponseAlg: Self.idTokenAlgorithmSchema
            case .scope: .text
            case .grantTypes: .array(.string(values: GrantType.allCases.map(\.rawValue)))
            case .redirectURIs, .audiences, .postLogoutRedirectURIs: .strings
            case .accessTokenTTL: .integer(Client.accessTokenTTLRange)
            case .status: .string(values: Client.Status.allCases.map(\.rawValue))
            case .dpopBoundAccessTokens, .certificateBoundAccessTokens, .pushedAuthorizationRequests,
                .signedRequestObject:
                .boolean
            case .refreshTokenRotation: .string(values: RefreshTokenRotation.allCases.map(\.rawValue))
            case .requiredACR: .string(values: AuthenticationContext.allCases.map(\.rawValue))
            case .verified:
                .described(.boolean, "vouch for a client that registered itself (not for an administrator's)")
            }
        }

        var isRequired: Bool { false }
    }

    var changes: Administration.ClientChanges {
        var changes = Administration.ClientChanges(
            name: name, grants: grantTypes, scopes: scope.map { $0.split(separator: " ").map(String.init) },
            redirectURIs: redirectURIs, audiences: audiences, accessTokenTTL: accessTokenTTL, status: status,
            dpopBoundAccessTokens: dpopBoundAccessTokens, certificateBoundAccessTokens: certificateBoundAccessTokens,
            pushedAuthorizationRequests: pushedAuthorizationRequests, signedRequestObject: signedRequestObject,
            refreshTokenRotation: refreshTokenRotation)
        changes.postLogoutRedirectURIs = postLogoutRedirectURIs
        changes.requiredContext = requiredACR
        changes.backchannelLogoutURI = backchannelLogoutURI
        changes.backchannelLogoutSessionRequired = backchannelLogoutSessionRequired
        changes.idTokenSigningAlgorithm = idTokenSignedResponseAlg
        changes.verified = verified
        return changes
    }
}

struct UserCreateBody: AdminBody, Sendable {
    static let schemaName = "UserCreate"
    typealias Keys = CodingKeys

    let username: String
    let password: String

    enum CodingKeys: String, SchemaKey {
        case username, password

        var schema: MemberSchema {
            switch self {
            case .username: .string(length: User.usernameLength)
            case .password: .string(length: User.minimumPasswordLength...Int.max)
            }
        }

        var isRequired: Bool { true }
    }
}

struct UserUpdateBody: AdminBody, Sendable {
    static let schemaName = "UserUpdate"
    typealias Keys = CodingKeys

    let status: User.Status?
    let password: String?
    let roles: [AdminRole]?

    enum CodingKeys: String, SchemaKey {
        case status, password, roles

        var schema: MemberSchema {
            switch self {
            case .status: .string(values: User.Status.allCases.map(\.rawValue))
            case .password: .string(length: User.minimumPasswordLength...Int.max)
            case .roles:
                .described(
                    .array(.string(values: AdminRole.allCases.map(\.rawValue))),
                    "replaces the user's admin roles (needs tessera:admin); docs/admin-roles.md")
            }
        }

        var isRequired: Bool { false }
    }
}

struct ScopeCreateBody: AdminBody, Sendable {
    static let schemaName = "ScopeCreate"
    typealias Keys = CodingKeys

    let name: String
    let description: String?

    enum CodingKeys: String, SchemaKey {
        case name, description

        var schema: MemberSchema {
            switch self {
            case .name: .string(length: Scope.nameLength)
            case .description: .text
            }
        }

        var isRequired: Bool { self == .name }
    }
}

struct KeyRotateBody: AdminBody, Sendable {
    static let schemaName = "KeyRotate"
    typealias Keys = CodingKeys

    let alg: String?

    enum CodingKeys: String, SchemaKey {
        case alg

        /// The operator's names: RFC 9864's `Ed25519` and the older `EdDSA` for the same keys.
        var schema: MemberSchema { .string(values: ["ES256", "Ed25519", "EdDSA", "RS256"]) }
        var isRequired: Bool { false }
    }
}

struct TenantCreateBody: AdminBody, Sendable {
    static let schemaName = "TenantCreate"
    typealias Keys = CodingKeys

    let slug: String
    let name: String?

    enum CodingKeys: String, SchemaKey {
        case slug, name

        var schema: MemberSchema {
            switch self {
            case .slug: .string(pattern: TenantSlug.pattern)
            case .name: .string(length: Tenant.nameLength)
            }
        }

        var isRequired: Bool { self == .slug }
    }
}

struct TenantUpdateBody: AdminBody, Sendable {
    static let schemaName = "TenantUpdate"
    typealias Keys = CodingKeys

    let status: Tenant.Status?

    enum CodingKeys: String, SchemaKey {
        case status

        var schema: MemberSchema { .string(values: Tenant.Status.allCases.map(\.rawValue)) }
        var isRequired: Bool { false }
    }
}

extension SchemaKey {
    /// OIDC Dynamic Client Registration 1.0 §2 `id_token_signed_response_alg`: read as a string,
    /// so an unknown value is the admin API's 422 naming the member, not a decoding error.
    static var idTokenAlgorithmSchema: MemberSchema {
        .described(
            .string(values: SigningAlgorithm.idTokenAlgorithmNames),
            "OIDC Registration §2; default: the tenant's key_algorithm. EdDSA is Ed25519's older name; none is refused")
    }
}
