import Foundation
import TesseraCore

// The JSON shapes of tenants, clients, users and scopes: one definition for the CLI's `--json`
// and the admin API, so a script can move from one to the other.

public struct TenantRepresentation: Encodable, Sendable {
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

    enum CodingKeys: String, CodingKey {
        case id, slug, name, issuer, status, settings
        case createdAt = "created_at"
    }
}

public struct ClientRepresentation: Encodable, Sendable {
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
    public let audiences: [String]
    public let accessTokenTTL: Int?
    public let status: String
    public let version: Int
    public let createdAt: Date

    public init(_ client: Client, tenant: TenantSlug, secret: String? = nil) {
        clientID = client.id
        clientSecret = secret
        self.tenant = tenant.rawValue
        name = client.name
        isPublic = client.isPublic
        authMethod = client.authMethod.rawValue
        grantTypes = client.grantTypes.map(\.rawValue)
        scope = client.scopes.description
        redirectURIs = client.redirectURIs.map(\.rawValue)
        audiences = client.audiences
        accessTokenTTL = client.accessTokenTTL
        status = client.status.rawValue
        version = client.version
        createdAt = client.createdAt
    }

    enum CodingKeys: String, CodingKey {
        case tenant, name, audiences, status, version, scope
        case clientID = "client_id"
        case clientSecret = "client_secret"
        case isPublic = "public"
        case authMethod = "token_endpoint_auth_method"
        case grantTypes = "grant_types"
        case redirectURIs = "redirect_uris"
        case accessTokenTTL = "access_token_ttl"
        case createdAt = "created_at"
    }
}

public struct UserRepresentation: Encodable, Sendable {
    public let id: String
    public let tenant: String
    public let username: String
    public let status: String
    public let createdAt: Date

    public init(_ user: User, tenant: TenantSlug) {
        id = user.id.uuidString.lowercased()
        self.tenant = tenant.rawValue
        username = user.username
        status = user.status.rawValue
        createdAt = user.createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, tenant, username, status
        case createdAt = "created_at"
    }
}

public struct ScopeRepresentation: Encodable, Sendable {
    public let tenant: String
    public let name: String
    public let description: String

    public init(_ scope: Scope, tenant: TenantSlug) {
        self.tenant = tenant.rawValue
        name = scope.name
        description = scope.description
    }
}

/// A signing key as operators see it: never any private material.
public struct SigningKeyRepresentation: Encodable, Sendable {
    public let kid: String
    public let alg: String
    public let state: String
    public let published: Bool
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
        createdAt = key.createdAt
        activatedAt = key.activatedAt
        deactivatedAt = key.deactivatedAt
        retireAfter = key.retireAfter
        endedAt = key.endedAt
    }

    enum CodingKeys: String, CodingKey {
        case kid, alg, state, published
        case createdAt = "created_at"
        case activatedAt = "activated_at"
        case deactivatedAt = "deactivated_at"
        case retireAfter = "retire_after"
        case endedAt = "ended_at"
    }
}
