import Foundation
import TesseraCore
import TesseraJOSE

/// The client metadata of a registration request (RFC 7591 §2), read from its JSON body and,
/// when it carries a software statement, the statement's claims over the body's (§2.3). Members
/// Tessera does not know are ignored, as §2 asks; a member of the wrong type is
/// `invalid_client_metadata`.
struct ClientMetadata: Sendable {
    var redirectURIs: [String]
    var tokenEndpointAuthMethod: String?
    var grantTypes: [String]?
    var responseTypes: [String]?
    var clientName: String?
    var scope: String?
    var jwks: String?
    var jwksURI: String?
    var softwareStatement: String?
    var idTokenSignedResponseAlg: String?
    var dpopBoundAccessTokens: Bool?
    var described: RegisteredMetadata
    /// RFC 7592 §2.2: members an update must not carry, present in this body.
    var forbiddenInUpdate: [String]
    var clientID: String?
    var clientSecret: String?

    /// The body's members that only the server sets (RFC 7592 §2.2).
    static let serverMembers = [
        "registration_access_token", "registration_client_uri", "client_id_issued_at", "client_secret_expires_at",
    ]

    init(_ object: JSONObject) throws(OAuthError) {
        func strings(_ name: String) throws(OAuthError) -> [String]? {
            switch object[name] {
            case nil, .null?: return nil
            case .array(let values)?:
                var result: [String] = []
                for value in values {
                    guard case .string(let text) = value else {
                        throw .invalidClientMetadata("\(name) must be an array of strings")
                    }
                    result.append(text)
                }
                return result
            default: throw .invalidClientMetadata("\(name) must be an array of strings")
            }
        }
        func string(_ name: String) throws(OAuthError) -> String? {
            switch object[name] {
            case nil, .null?: return nil
            case .string(let text)?: return text
            default: throw .invalidClientMetadata("\(name) must be a string")
            }
        }
        redirectURIs = try strings("redirect_uris") ?? []
        tokenEndpointAuthMethod = try string("token_endpoint_auth_method")
        grantTypes = try strings("grant_types")
        responseTypes = try strings("response_types")
        clientName = try string("client_name")
        scope = try string("scope")
        jwksURI = try string("jwks_uri")
        softwareStatement = try string("software_statement")
        idTokenSignedResponseAlg = try string("id_token_signed_response_alg")
        switch object["dpop_bound_access_tokens"] {
        case nil, .null?: dpopBoundAccessTokens = nil
        case .bool(let on)?: dpopBoundAccessTokens = on
        default: throw .invalidClientMetadata("dpop_bound_access_tokens must be true or false")
        }
        switch object["jwks"] {
        case nil, .null?: jwks = nil
        case .object(let set)?:
            guard let data = try? JSONEncoder().encode(set) else {
                throw .invalidClientMetadata("jwks must be a JWK Set")
            }
            jwks = String(decoding: data, as: UTF8.self)
        default: throw .invalidClientMetadata("jwks must be a JWK Set object")
        }
        described = RegisteredMetadata(
            clientURI: try string("client_uri"), logoURI: try string("logo_uri"), tosURI: try string("tos_uri"),
            policyURI: try string("policy_uri"), contacts: try strings("contacts") ?? [],
            softwareID: try string("software_id"), softwareVersion: try string("software_version"))
        forbiddenInUpdate = Self.serverMembers.filter { object[$0] != nil }
        clientID = try string("client_id")
        clientSecret = try string("client_secret")
    }

    /// RFC 7591 §2.3: "the values of the software statement's claims MUST take precedence".
    mutating func overlay(statement claims: JSONObject) throws(OAuthError) {
        let statement: ClientMetadata
        do {
            statement = try ClientMetadata(claims)
        } catch {
            throw .invalidSoftwareStatement("the software statement's claims are not client metadata: \(error.description ?? "")")
        }
        if claims["redirect_uris"] != nil { redirectURIs = statement.redirectURIs }
        tokenEndpointAuthMethod = statement.tokenEndpointAuthMethod ?? tokenEndpointAuthMethod
        grantTypes = statement.grantTypes ?? grantTypes
        responseTypes = statement.responseTypes ?? responseTypes
        clientName = statement.clientName ?? clientName
        scope = statement.scope ?? scope
        jwks = statement.jwks ?? jwks
        jwksURI = statement.jwksURI ?? jwksURI
        idTokenSignedResponseAlg = statement.idTokenSignedResponseAlg ?? idTokenSignedResponseAlg
        dpopBoundAccessTokens = statement.dpopBoundAccessTokens ?? dpopBoundAccessTokens
        let theirs = statement.described
        described.clientURI = theirs.clientURI ?? described.clientURI
        described.logoURI = theirs.logoURI ?? described.logoURI
        described.tosURI = theirs.tosURI ?? described.tosURI
        described.policyURI = theirs.policyURI ?? described.policyURI
        if !theirs.contacts.isEmpty { described.contacts = theirs.contacts }
        described.softwareID = theirs.softwareID ?? described.softwareID
        described.softwareVersion = theirs.softwareVersion ?? described.softwareVersion
    }
}
