import Foundation

/// Where a client came from: an administrator made it, it registered itself (RFC 7591), or it
/// is named by the URL of its metadata document. What no administrator made is shown as such on
/// the consent page until one verifies it, and is removed when unused for the tenant's
/// `registration_unused_ttl`.
public enum ClientOrigin: String, Sendable, Codable, CaseIterable {
    case admin
    case registration
    case metadataDocument = "metadata_document"
}

/// What a client no administrator made holds beyond the common client: the RFC 7592
/// registration access token (its SHA-256) of a self-registered one, and the RFC 7591 §2
/// metadata Tessera keeps only to show and echo.
public struct ClientRegistrationRecord: Sendable, Equatable, Codable {
    /// RFC 7592 §1: the bearer token of the client configuration endpoint, rotated on update;
    /// nil for a metadata document's client, whose document is its configuration.
    public var accessTokenHash: [UInt8]?
    public var metadata: RegisteredMetadata

    public init(accessTokenHash: SecretHash?, metadata: RegisteredMetadata) {
        self.accessTokenHash = accessTokenHash?.bytes
        self.metadata = metadata
    }

    public func accepts(_ token: String) -> Bool {
        guard let accessTokenHash else { return false }
        return SecretHash(bytes: accessTokenHash).matches(token)
    }

    enum CodingKeys: String, CodingKey {
        case accessTokenHash = "access_token_sha256"
        case metadata
    }
}

/// The RFC 7591 §2 members that describe a client to people, not to the protocol: kept as
/// registered, each URL checked to be https.
public struct RegisteredMetadata: Sendable, Equatable, Codable {
    public var clientURI: String?
    public var logoURI: String?
    public var tosURI: String?
    public var policyURI: String?
    public var contacts: [String]
    public var softwareID: String?
    public var softwareVersion: String?

    public init(
        clientURI: String? = nil, logoURI: String? = nil, tosURI: String? = nil, policyURI: String? = nil,
        contacts: [String] = [], softwareID: String? = nil, softwareVersion: String? = nil
    ) {
        self.clientURI = clientURI
        self.logoURI = logoURI
        self.tosURI = tosURI
        self.policyURI = policyURI
        self.contacts = contacts
        self.softwareID = softwareID
        self.softwareVersion = softwareVersion
    }

    enum CodingKeys: String, CodingKey {
        case clientURI = "client_uri"
        case logoURI = "logo_uri"
        case tosURI = "tos_uri"
        case policyURI = "policy_uri"
        case contacts
        case softwareID = "software_id"
        case softwareVersion = "software_version"
    }
}
