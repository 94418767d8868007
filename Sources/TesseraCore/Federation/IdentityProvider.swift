import Foundation

/// An upstream OpenID Provider a tenant lets its users sign in with ("Sign in with …"): Tessera
/// is the relying party (OIDC Core §3.1, the code flow). docs/upstream-identity-providers.md.
///
/// The client secret is kept sealed (AES-256-GCM under the master key, as signing keys are);
/// for `private_key_jwt` the provider owns a signing key whose public JWK the admin registers
/// upstream. Neither private part ever leaves the server.
public struct IdentityProvider: Sendable, Equatable {
    /// How Tessera authenticates at the upstream token endpoint (OIDC Core §9).
    public enum ClientAuthentication: String, Sendable, Codable, CaseIterable {
        case clientSecretBasic = "client_secret_basic"
        case clientSecretPost = "client_secret_post"
        case privateKeyJWT = "private_key_jwt"

        public var usesSecret: Bool { self != .privateKeyJWT }
    }

    /// Which upstream claim becomes which attribute of the local account. The username is the
    /// one a just-in-time user is created with; e-mail and name are kept with the link (users
    /// have no such fields), never used to find an account.
    public struct ClaimMapping: Sendable, Equatable, Codable {
        public var username: String
        public var email: String
        public var name: String

        public init(username: String = "preferred_username", email: String = "email", name: String = "name") {
            self.username = username
            self.email = email
            self.name = name
        }

        public static let standard = ClaimMapping()
    }

    /// The provider's own signing key for `private_key_jwt` (RFC 7523 §2.2), sealed at rest.
    public struct AssertionKey: Sendable, Equatable {
        public let kid: String
        /// Compact public JWK, as published to the admin.
        public let publicJWK: String
        public let sealedPrivateKey: [UInt8]

        public init(kid: String, publicJWK: String, sealedPrivateKey: [UInt8]) {
            self.kid = kid
            self.publicJWK = publicJWK
            self.sealedPrivateKey = sealedPrivateKey
        }
    }

    public let tenantID: UUID
    public let id: UUID
    /// In the callback's sealed state and the admin API's paths; `[a-z0-9][a-z0-9-]{0,62}`.
    public let slug: String
    public var name: String
    /// OIDC Discovery §4.3: the metadata's `issuer` must equal this exactly, as must every ID
    /// token's `iss`.
    public let issuer: String
    public let clientID: String
    public let authentication: ClientAuthentication
    public var sealedClientSecret: [UInt8]?
    public var assertionKey: AssertionKey?
    /// Always includes `openid` (OIDC Core §3.1.2.1).
    public var scopes: [String]
    public var claims: ClaimMapping
    public var enabled: Bool
    public var version: Int
    public let createdAt: Date
    public var updatedAt: Date

    public init(
        tenantID: UUID, id: UUID = UUID(), slug: String, name: String, issuer: String, clientID: String,
        authentication: ClientAuthentication, sealedClientSecret: [UInt8]?, assertionKey: AssertionKey?,
        scopes: [String], claims: ClaimMapping, enabled: Bool, version: Int = 1, createdAt: Date,
        updatedAt: Date? = nil
    ) {
        self.tenantID = tenantID
        self.id = id
        self.slug = slug
        self.name = name
        self.issuer = issuer
        self.clientID = clientID
        self.authentication = authentication
        self.sealedClientSecret = sealedClientSecret
        self.assertionKey = assertionKey
        self.scopes = scopes
        self.claims = claims
        self.enabled = enabled
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }

    /// The key id a client secret is sealed under: bound to the tenant and this provider, so a
    /// sealed secret copied to another row does not open.
    public static func secretKeyID(_ id: UUID) -> String { "identity-provider:\(id.uuidString.lowercased())" }
}

extension IdentityProvider: Versioned {}
