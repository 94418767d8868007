import Foundation

/// What a tenant lets clients that no administrator made have (docs/dynamic-client-registration.md):
/// the grant types and scopes they may register, and the publishers whose software statements
/// (RFC 7591 §2.3) it trusts. Who may register at all is the `registration` setting; how many
/// and for how long unused are `registration_max_clients` and `registration_unused_ttl`.
public struct RegistrationPolicy: Sendable, Equatable, Codable {
    /// Of `authorization_code`, `refresh_token`, `urn:ietf:params:oauth:grant-type:device_code`,
    /// `client_credentials`: what a registered client may ask for.
    public var grantTypes: [GrantType]
    /// The tenant's scopes a registered client may be given; one it asks for beyond these is refused.
    public var scopes: [String]
    /// The JWKS of the publishers whose software statements are believed; their claims win over
    /// the request's (RFC 7591 §2.3).
    public var softwareStatementJWKS: String?
    /// Refuses registrations without a software statement signed by one of those keys.
    public var requireSoftwareStatement: Bool
    public var version: Int
    public var updatedAt: Date?

    public init(
        grantTypes: [GrantType] = [.authorizationCode, .refreshToken], scopes: [String] = ["openid"],
        softwareStatementJWKS: String? = nil, requireSoftwareStatement: Bool = false, version: Int = 0,
        updatedAt: Date? = nil
    ) {
        self.grantTypes = grantTypes
        self.scopes = scopes
        self.softwareStatementJWKS = softwareStatementJWKS
        self.requireSoftwareStatement = requireSoftwareStatement
        self.version = version
        self.updatedAt = updatedAt
    }

    /// The policy of a tenant that never set one: the code flow with refresh, `openid` only.
    public static let defaults = RegistrationPolicy()

    /// Grants a self-registered client can never have, whatever the policy: token exchange acts
    /// for other clients' users, and is for services an administrator knows.
    public static let grantableTypes: [GrantType] = [
        .authorizationCode, .refreshToken, .deviceCode, .clientCredentials,
    ]

    public func validate() throws(ValidationError) {
        if let grant = grantTypes.first(where: { !Self.grantableTypes.contains($0) }) {
            throw ValidationError(
                field: "grant_types", "'\(grant.rawValue)' cannot be given to clients that register themselves")
        }
        if requireSoftwareStatement, softwareStatementJWKS?.isEmpty ?? true {
            throw ValidationError(
                field: "require_software_statement", "needs the publishers' keys (software_statement_jwks)")
        }
    }

    enum CodingKeys: String, CodingKey {
        case grantTypes = "grant_types"
        case scopes
        case softwareStatementJWKS = "software_statement_jwks"
        case requireSoftwareStatement = "require_software_statement"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            grantTypes: try container.decode([GrantType].self, forKey: .grantTypes),
            scopes: try container.decode([String].self, forKey: .scopes),
            softwareStatementJWKS: try container.decodeIfPresent(String.self, forKey: .softwareStatementJWKS),
            requireSoftwareStatement: try container.decode(Bool.self, forKey: .requireSoftwareStatement))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(grantTypes, forKey: .grantTypes)
        try container.encode(scopes, forKey: .scopes)
        try container.encodeIfPresent(softwareStatementJWKS, forKey: .softwareStatementJWKS)
        try container.encode(requireSoftwareStatement, forKey: .requireSoftwareStatement)
    }
}
