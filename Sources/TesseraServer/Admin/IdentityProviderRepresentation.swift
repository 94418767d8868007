import Foundation
import TesseraCore
import TesseraOAuth

/// An upstream identity provider as admins see it: never the client secret (write-only; only
/// whether one is set), the public JWK of its own key for `private_key_jwt` (to register
/// upstream), and the fixed redirect URI to register there.
public struct IdentityProviderRepresentation: AdminRepresentation, Sendable {
    static let schemaName = "IdentityProvider"
    typealias Keys = CodingKeys

    public let tenant: String
    public let slug: String
    public let name: String
    public let issuer: String
    public let clientID: String
    public let authMethod: String
    public let hasClientSecret: Bool
    public let jwks: String?
    public let redirectURI: String
    public let scopes: [String]
    public let usernameClaim: String
    public let emailClaim: String
    public let nameClaim: String
    public let enabled: Bool
    public let createdAt: Date
    public let updatedAt: Date

    enum CodingKeys: String, SchemaKey {
        case tenant, slug, name, issuer, jwks, scopes, enabled
        case clientID = "client_id"
        case authMethod = "token_endpoint_auth_method"
        case hasClientSecret = "has_client_secret"
        case redirectURI = "redirect_uri"
        case usernameClaim = "username_claim"
        case emailClaim = "email_claim"
        case nameClaim = "name_claim"
        case createdAt = "created_at"
        case updatedAt = "updated_at"

        var schema: MemberSchema {
            switch self {
            case .tenant, .slug, .name, .issuer, .clientID, .usernameClaim, .emailClaim, .nameClaim: .text
            case .authMethod: .string(values: IdentityProvider.ClientAuthentication.allCases.map(\.rawValue))
            case .hasClientSecret, .enabled: .boolean
            case .jwks:
                .described(.text, "for private_key_jwt: the JWK Set of the provider's own key, to register upstream")
            case .redirectURI: .described(.text, "the redirect URI to register at the upstream provider")
            case .scopes: .strings
            case .createdAt, .updatedAt: .dateTime
            }
        }

        var isRequired: Bool { self != .jwks }
    }

    public init(_ provider: IdentityProvider, tenant: TenantSlug, issuer: String) {
        self.tenant = tenant.rawValue
        slug = provider.slug
        name = provider.name
        self.issuer = provider.issuer
        clientID = provider.clientID
        authMethod = provider.authentication.rawValue
        hasClientSecret = provider.sealedClientSecret != nil
        jwks = provider.assertionKey.map { "{\"keys\":[\($0.publicJWK)]}" }
        redirectURI = UpstreamSignIn.redirectURI(issuer: issuer)
        scopes = provider.scopes
        usernameClaim = provider.claims.username
        emailClaim = provider.claims.email
        nameClaim = provider.claims.name
        enabled = provider.enabled
        createdAt = provider.createdAt
        updatedAt = provider.updatedAt
    }
}

struct IdentityProviderCreateBody: AdminBody, Sendable {
    static let schemaName = "IdentityProviderCreate"
    typealias Keys = CodingKeys

    let slug: String
    let name: String
    let issuer: String
    let clientID: String
    let authMethod: IdentityProvider.ClientAuthentication?
    let clientSecret: String?
    let scopes: [String]?
    let usernameClaim: String?
    let emailClaim: String?
    let nameClaim: String?
    let enabled: Bool?

    enum CodingKeys: String, SchemaKey {
        case slug, name, issuer, scopes, enabled
        case clientID = "client_id"
        case authMethod = "token_endpoint_auth_method"
        case clientSecret = "client_secret"
        case usernameClaim = "username_claim"
        case emailClaim = "email_claim"
        case nameClaim = "name_claim"

        var schema: MemberSchema {
            switch self {
            case .slug: .string(length: 1...63, pattern: TenantSlug.pattern)
            case .name: .string(length: IdentityProvider.nameLength)
            case .issuer: .described(.text, "the upstream's issuer identifier (OIDC Discovery §3), https")
            case .clientID: .string(length: IdentityProvider.clientIDLength)
            case .authMethod: .string(values: IdentityProvider.ClientAuthentication.allCases.map(\.rawValue))
            case .clientSecret:
                .described(
                    .string(length: IdentityProvider.secretLength),
                    "write-only; for client_secret_basic (the default) and client_secret_post")
            case .scopes: .described(.strings, "must include openid; default openid profile email")
            case .usernameClaim, .emailClaim, .nameClaim: .string(length: IdentityProvider.claimNameLength)
            case .enabled: .boolean
            }
        }

        var isRequired: Bool { [.slug, .name, .issuer, .clientID].contains(self) }
    }

    func input() -> Administration.IdentityProviderInput {
        let standard = IdentityProvider.ClaimMapping.standard
        return Administration.IdentityProviderInput(
            slug: slug, name: name, issuer: issuer, clientID: clientID,
            authentication: authMethod ?? .clientSecretBasic,
            clientSecret: clientSecret, scopes: scopes ?? ["openid", "profile", "email"],
            claims: IdentityProvider.ClaimMapping(
                username: usernameClaim ?? standard.username, email: emailClaim ?? standard.email,
                name: nameClaim ?? standard.name),
            enabled: enabled ?? true)
    }
}

struct IdentityProviderUpdateBody: AdminBody, Sendable {
    static let schemaName = "IdentityProviderUpdate"
    typealias Keys = CodingKeys

    let name: String?
    let clientSecret: String?
    let scopes: [String]?
    let usernameClaim: String?
    let emailClaim: String?
    let nameClaim: String?
    let enabled: Bool?

    enum CodingKeys: String, SchemaKey {
        case name, scopes, enabled
        case clientSecret = "client_secret"
        case usernameClaim = "username_claim"
        case emailClaim = "email_claim"
        case nameClaim = "name_claim"

        var schema: MemberSchema {
            switch self {
            case .name: .string(length: IdentityProvider.nameLength)
            case .clientSecret: .described(.string(length: IdentityProvider.secretLength), "write-only: a new secret")
            case .scopes: .strings
            case .usernameClaim, .emailClaim, .nameClaim: .string(length: IdentityProvider.claimNameLength)
            case .enabled: .boolean
            }
        }

        var isRequired: Bool { false }
    }

    func changes(from current: IdentityProvider) -> Administration.IdentityProviderChanges {
        var claims: IdentityProvider.ClaimMapping?
        if usernameClaim != nil || emailClaim != nil || nameClaim != nil {
            claims = IdentityProvider.ClaimMapping(
                username: usernameClaim ?? current.claims.username, email: emailClaim ?? current.claims.email,
                name: nameClaim ?? current.claims.name)
        }
        return Administration.IdentityProviderChanges(
            name: name, clientSecret: clientSecret, scopes: scopes, claims: claims, enabled: enabled)
    }
}
