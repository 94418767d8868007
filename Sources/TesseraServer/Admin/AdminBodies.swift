import Foundation
import TesseraCore
import TesseraOAuth

// The JSON bodies the admin API reads. Member names match the representations it writes, so
// what a GET returns can be edited and sent back.

struct ClientCreateBody: Decodable, Sendable {
    let name: String
    let isPublic: Bool?
    let authMethod: ClientAuthMethod?
    let jwks: String?
    let grantTypes: [String]?
    let scope: String?
    let redirectURIs: [String]?
    let audiences: [String]?
    let accessTokenTTL: Int?

    enum CodingKeys: String, CodingKey {
        case name, jwks, scope, audiences
        case isPublic = "public"
        case authMethod = "token_endpoint_auth_method"
        case grantTypes = "grant_types"
        case redirectURIs = "redirect_uris"
        case accessTokenTTL = "access_token_ttl"
    }

    var registration: Administration.ClientRegistration {
        Administration.ClientRegistration(
            name: name, isPublic: isPublic ?? (authMethod == ClientAuthMethod.none), authMethod: authMethod, jwks: jwks,
            grants: grantTypes ?? [], scopes: (scope ?? "").split(separator: " ").map(String.init),
            redirectURIs: redirectURIs ?? [], audiences: audiences ?? [], accessTokenTTL: accessTokenTTL)
    }
}

struct ClientUpdateBody: Decodable, Sendable {
    let name: String?
    let grantTypes: [String]?
    let scope: String?
    let redirectURIs: [String]?
    let audiences: [String]?
    let accessTokenTTL: Int?
    let status: Client.Status?

    enum CodingKeys: String, CodingKey {
        case name, scope, audiences, status
        case grantTypes = "grant_types"
        case redirectURIs = "redirect_uris"
        case accessTokenTTL = "access_token_ttl"
    }

    var changes: Administration.ClientChanges {
        Administration.ClientChanges(
            name: name, grants: grantTypes, scopes: scope.map { $0.split(separator: " ").map(String.init) },
            redirectURIs: redirectURIs, audiences: audiences, accessTokenTTL: accessTokenTTL, status: status)
    }
}

struct UserCreateBody: Decodable, Sendable {
    let username: String
    let password: String
}

struct UserUpdateBody: Decodable, Sendable {
    let status: User.Status?
    let password: String?
}

struct ScopeCreateBody: Decodable, Sendable {
    let name: String
    let description: String?
}

struct KeyRotateBody: Decodable, Sendable {
    let alg: String?
}

struct TenantCreateBody: Decodable, Sendable {
    let slug: String
    let name: String?
}

struct TenantUpdateBody: Decodable, Sendable {
    let status: Tenant.Status?
}
