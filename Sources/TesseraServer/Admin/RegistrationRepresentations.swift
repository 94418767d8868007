import Foundation
import TesseraCore
import TesseraOAuth

/// An initial access token as admins see it (admin API and CLI): its value only in the answer
/// that made it.
public struct RegistrationTokenRepresentation: AdminRepresentation, Sendable {
    static let schemaName = "RegistrationToken"
    typealias Keys = CodingKeys

    public let id: String
    public let token: String?
    public let usesLeft: Int?
    public let expiresAt: Date
    public let createdAt: Date
    public let createdBy: String

    public init(_ record: RegistrationToken, value: String? = nil) {
        id = record.id.uuidString.lowercased()
        token = value
        usesLeft = record.usesLeft
        expiresAt = record.expiresAt
        createdAt = record.createdAt
        createdBy = record.createdBy
    }

    enum CodingKeys: String, SchemaKey {
        case id, token
        case usesLeft = "uses_left"
        case expiresAt = "expires_at"
        case createdAt = "created_at"
        case createdBy = "created_by"

        var schema: MemberSchema {
            switch self {
            case .id, .createdBy: .text
            case .token: .described(.text, "the initial access token (RFC 7591 §3); only when just created")
            case .usesLeft: .described(.integer(), "registrations it still allows; null: any number until it expires")
            case .expiresAt, .createdAt: .dateTime
            }
        }

        var isRequired: Bool { self != .token && self != .usesLeft }
        var isNullableOutput: Bool { self == .usesLeft }
    }
}

struct RegistrationTokenCreateBody: AdminBody, Sendable {
    static let schemaName = "RegistrationTokenCreate"
    typealias Keys = CodingKeys

    let uses: Int?
    let ttl: Int?

    enum CodingKeys: String, SchemaKey {
        case uses, ttl

        var schema: MemberSchema {
            switch self {
            case .uses: .described(.integer(RegistrationToken.usesRange), "default: any number until it expires")
            case .ttl: .described(.integer(RegistrationToken.lifetimeRange), "seconds; default 86400")
            }
        }

        var isRequired: Bool { false }
    }
}

/// The registration policy (docs/dynamic-client-registration.md), read and replaced whole.
struct RegistrationPolicyRepresentation: AdminRepresentation, Sendable {
    static let schemaName = "RegistrationPolicy"
    typealias Keys = CodingKeys

    let grantTypes: [String]
    let scopes: [String]
    let softwareStatementJWKS: String?
    let requireSoftwareStatement: Bool
    let version: Int

    init(_ policy: RegistrationPolicy) {
        grantTypes = policy.grantTypes.map(\.rawValue)
        scopes = policy.scopes
        softwareStatementJWKS = policy.softwareStatementJWKS
        requireSoftwareStatement = policy.requireSoftwareStatement
        version = policy.version
    }

    enum CodingKeys: String, SchemaKey {
        case scopes, version
        case grantTypes = "grant_types"
        case softwareStatementJWKS = "software_statement_jwks"
        case requireSoftwareStatement = "require_software_statement"

        var schema: MemberSchema {
            switch self {
            case .grantTypes:
                .array(.string(values: RegistrationPolicy.grantableTypes.map(\.rawValue)))
            case .scopes: .described(.strings, "the tenant's scopes a registered client may be given")
            case .softwareStatementJWKS:
                .described(.text, "the JWK Set of the publishers whose software statements are trusted")
            case .requireSoftwareStatement: .boolean
            case .version: .integer()
            }
        }

        var isRequired: Bool { self != .softwareStatementJWKS }
        var isNullableOutput: Bool { self == .softwareStatementJWKS }
    }
}

struct RegistrationPolicyBody: AdminBody, Sendable {
    static let schemaName = "RegistrationPolicyUpdate"
    typealias Keys = CodingKeys

    let grantTypes: [String]?
    let scopes: [String]?
    let softwareStatementJWKS: String?
    let requireSoftwareStatement: Bool?

    enum CodingKeys: String, SchemaKey {
        case scopes
        case grantTypes = "grant_types"
        case softwareStatementJWKS = "software_statement_jwks"
        case requireSoftwareStatement = "require_software_statement"

        var schema: MemberSchema {
            switch self {
            case .grantTypes:
                .described(
                    .array(.string(values: RegistrationPolicy.grantableTypes.map(\.rawValue))),
                    "default authorization_code, refresh_token")
            case .scopes: .described(.strings, "default openid")
            case .softwareStatementJWKS: .described(.text, "a JWK Set as text; null: none trusted")
            case .requireSoftwareStatement: .boolean
            }
        }

        var isRequired: Bool { false }
    }

    /// The whole policy this body describes: what it leaves out is the default.
    func policy() throws(ValidationError) -> RegistrationPolicy {
        var policy = RegistrationPolicy.defaults
        if let grantTypes {
            policy.grantTypes = try grantTypes.map { name throws(ValidationError) in try GrantType(validating: name) }
        }
        if let scopes { policy.scopes = scopes }
        policy.softwareStatementJWKS = softwareStatementJWKS
        policy.requireSoftwareStatement = requireSoftwareStatement ?? false
        return policy
    }
}

/// A protected resource (INTERFACE.md `resources`, admin API and CLI): an API or MCP server
/// clients may name in `resource`, and the scopes it accepts.
public struct ResourceRepresentation: AdminRepresentation, Sendable {
    static let schemaName = "Resource"
    typealias Keys = CodingKeys

    public let identifier: String
    public let name: String
    public let scopes: [String]

    public init(_ resource: ProtectedResource) {
        identifier = resource.identifier
        name = resource.name
        scopes = resource.scopes
    }

    enum CodingKeys: String, SchemaKey {
        case identifier, name, scopes

        var schema: MemberSchema {
            switch self {
            case .identifier: .described(.text, "the RFC 8707 / RFC 9728 resource identifier, an https URL")
            case .name: .text
            case .scopes: .strings
            }
        }

        var isRequired: Bool { true }
    }
}

struct ResourceCreateBody: AdminBody, Sendable {
    static let schemaName = "ResourceCreate"
    typealias Keys = CodingKeys

    let identifier: String
    let name: String?
    let scopes: [String]?

    enum CodingKeys: String, SchemaKey {
        case identifier, name, scopes

        var schema: MemberSchema {
            switch self {
            case .identifier: .described(.string(length: 1...500), "an https URL (http only on loopback)")
            case .name: .string(length: Tenant.nameLength)
            case .scopes: .described(.strings, "scopes of the tenant the resource accepts")
            }
        }

        var isRequired: Bool { self == .identifier }
    }
}
