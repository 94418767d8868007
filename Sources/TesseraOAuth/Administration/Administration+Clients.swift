import Foundation
import TesseraCore
import TesseraStore

// Clients of one tenant: registered with a secret shown once, read, changed, given a new
// secret, deleted with everything they were given.

extension Administration {
    /// What a caller asks for when registering a client; the id and secret are made here.
    public struct ClientRegistration: Sendable {
        public var name: String
        public var isPublic: Bool
        public var authMethod: ClientAuthMethod?
        public var jwks: String?
        public var grants: [String]
        public var scopes: [String]
        public var redirectURIs: [String]
        public var audiences: [String]
        public var accessTokenTTL: Int?
        public var requirements: ClientRequirements
        public var postLogoutRedirectURIs: [String] = []
        /// OIDC Back-Channel Logout 1.0 §2.2 `backchannel_logout_uri` and
        /// `backchannel_logout_session_required`.
        public var backchannelLogoutURI: String?
        public var backchannelLogoutSessionRequired: Bool?
        /// OIDC Dynamic Client Registration 1.0 §2 `id_token_signed_response_alg` as sent; nil:
        /// the tenant's main keys (`key_algorithm`).
        public var idTokenSigningAlgorithm: String?

        public init(
            name: String, isPublic: Bool = false, authMethod: ClientAuthMethod? = nil, jwks: String? = nil,
            grants: [String] = [], scopes: [String] = [], redirectURIs: [String] = [], audiences: [String] = [],
            accessTokenTTL: Int? = nil, requirements: ClientRequirements = .none
        ) {
            self.name = name
            self.isPublic = isPublic
            self.authMethod = authMethod
            self.jwks = jwks
            self.grants = grants
            self.scopes = scopes
            self.redirectURIs = redirectURIs
            self.audiences = audiences
            self.accessTokenTTL = accessTokenTTL
            self.requirements = requirements
        }
    }

    /// The fields of a client an admin may change; nil leaves a field as it is.
    public struct ClientChanges: Sendable {
        public var name: String?
        public var grants: [String]?
        public var scopes: [String]?
        public var redirectURIs: [String]?
        public var audiences: [String]?
        public var accessTokenTTL: Int?
        public var status: Client.Status?
        public var dpopBoundAccessTokens: Bool?
        public var certificateBoundAccessTokens: Bool?
        public var pushedAuthorizationRequests: Bool?
        public var signedRequestObject: Bool?
        public var refreshTokenRotation: RefreshTokenRotation?
        public var postLogoutRedirectURIs: [String]?
        public var requiredContext: AuthenticationContext?
        /// A new `backchannel_logout_uri`; an empty string removes the registration.
        public var backchannelLogoutURI: String?
        public var backchannelLogoutSessionRequired: Bool?
        /// A new `id_token_signed_response_alg`, as sent.
        public var idTokenSigningAlgorithm: String?
        /// An administrator vouches for a client that registered itself, or takes it back.
        public var verified: Bool?

        public init(
            name: String? = nil, grants: [String]? = nil, scopes: [String]? = nil, redirectURIs: [String]? = nil,
            audiences: [String]? = nil, accessTokenTTL: Int? = nil, status: Client.Status? = nil,
            dpopBoundAccessTokens: Bool? = nil, certificateBoundAccessTokens: Bool? = nil,
            pushedAuthorizationRequests: Bool? = nil, signedRequestObject: Bool? = nil,
            refreshTokenRotation: RefreshTokenRotation? = nil
        ) {
            self.name = name
            self.grants = grants
            self.scopes = scopes
            self.redirectURIs = redirectURIs
            self.audiences = audiences
            self.accessTokenTTL = accessTokenTTL
            self.status = status
            self.dpopBoundAccessTokens = dpopBoundAccessTokens
            self.certificateBoundAccessTokens = certificateBoundAccessTokens
            self.pushedAuthorizationRequests = pushedAuthorizationRequests
            self.signedRequestObject = signedRequestObject
            self.refreshTokenRotation = refreshTokenRotation
        }

        /// `requirements` with the changed members replaced.
        func applied(to requirements: ClientRequirements) -> ClientRequirements {
            var changed = requirements
            if let dpopBoundAccessTokens { changed.dpopBoundAccessTokens = dpopBoundAccessTokens }
            if let certificateBoundAccessTokens { changed.certificateBoundAccessTokens = certificateBoundAccessTokens }
            if let pushedAuthorizationRequests { changed.pushedAuthorizationRequests = pushedAuthorizationRequests }
            if let signedRequestObject { changed.signedRequestObject = signedRequestObject }
            if let refreshTokenRotation { changed.refreshTokenRotation = refreshTokenRotation }
            if let requiredContext { changed.requiredContext = requiredContext }
            return changed
        }
    }

    /// A page of the tenant's clients by id, after `cursor`.
    public func clients(in tenant: Tenant, after cursor: String?, limit: Int) async throws -> [Client] {
        try await store.clients(tenantID: tenant.id, after: cursor, limit: limit)
    }

    public func client(in tenant: Tenant, id: String) async throws -> Client {
        guard let client = try await store.client(tenantID: tenant.id, id: id) else {
            throw AdministrationError.unknownClient(id)
        }
        return client
    }

    /// Registers a client. The secret of a confidential client is returned here once and
    /// stored only as its SHA-256.
    public func createClient(
        in tenant: Tenant, _ registration: ClientRegistration, actor: String, requestID: String? = nil
    ) async throws -> (client: Client, secret: String?) {
        let method = registration.authMethod ?? (registration.isPublic ? .none : .clientSecretBasic)
        if registration.isPublic, method != .none {
            throw ValidationError(field: "auth-method", "a public client authenticates with 'none'")
        }
        let redirectURIs = try registration.redirectURIs.map { uri throws(ValidationError) in try RedirectURI(uri) }
        var grants = try registration.grants.map { grant throws(ValidationError) in try GrantType(validating: grant) }
        if grants.isEmpty {
            grants =
                method == .none || !redirectURIs.isEmpty
                ? [.authorizationCode, .refreshToken] : [.clientCredentials]
        }
        if let subject = registration.requirements.certificateSubject {
            guard method == .tlsClientAuth else {
                throw ValidationError(field: subject.name, "applies to clients that authenticate with tls_client_auth")
            }
            _ = try CertificateIdentity(metadataName: subject.name, value: subject.value)
        }
        let scopes = try await knownScopes(registration.scopes, in: tenant)
        let secret = method.usesSecret ? RandomToken.generate() : nil
        let postLogoutURIs = try registration.postLogoutRedirectURIs.map { uri throws(ValidationError) in
            try RedirectURI(uri)
        }
        var draft = Client(
            tenantID: tenant.id, id: Client.generateID(), name: registration.name, authMethod: method,
            secretHash: secret.map(SecretHash.init(of:)), jwks: registration.jwks, grantTypes: Self.unique(grants),
            scopes: scopes, redirectURIs: Self.unique(redirectURIs),
            postLogoutRedirectURIs: Self.unique(postLogoutURIs),
            audiences: Self.unique(registration.audiences),
            accessTokenTTL: registration.accessTokenTTL, requirements: registration.requirements, createdAt: clock())
        draft.backchannelLogout = try Self.backchannelLogout(
            uri: registration.backchannelLogoutURI, sessionRequired: registration.backchannelLogoutSessionRequired,
            current: nil)
        if let name = registration.idTokenSigningAlgorithm {
            draft.requirements.idTokenSigningAlgorithm = try Self.idTokenAlgorithm(name, in: tenant)
        }
        let client = draft
        try client.validate()
        try await provisionIDTokenLine(
            client.requirements.idTokenSigningAlgorithm, in: tenant, actor: actor, requestID: requestID)
        try await store.audited(
            AuditedChange(
                tenantID: tenant.id, actor: actor, requestID: requestID, at: client.createdAt,
                records: [Self.clientCreated(client)], feed: (.client, client.id))
        ) { operations in try await operations.insertClient(client) }
        return (client, secret)
    }

    static func clientCreated(_ client: Client) -> AuditRecord {
        AuditRecord(action: .clientCreate, target: client.id, details: AuditDetails().strings("name", [client.name]))
    }

    public func updateClient(
        in tenant: Tenant, id: String, _ changes: ClientChanges, expectedVersion: Int?, actor: String,
        requestID: String? = nil
    ) async throws -> Client {
        var client = try await client(in: tenant, id: id)
        let readVersion = client.version
        if let name = changes.name { client.name = name }
        if let grants = changes.grants {
            client.grantTypes = Self.unique(
                try grants.map { grant throws(ValidationError) in try GrantType(validating: grant) })
        }
        if let scopes = changes.scopes { client.scopes = try await knownScopes(scopes, in: tenant) }
        if let uris = changes.redirectURIs {
            client.redirectURIs = Self.unique(try uris.map { uri throws(ValidationError) in try RedirectURI(uri) })
        }
        if let audiences = changes.audiences { client.audiences = Self.unique(audiences) }
        if let uris = changes.postLogoutRedirectURIs {
            client.postLogoutRedirectURIs = Self.unique(
                try uris.map { uri throws(ValidationError) in try RedirectURI(uri) })
        }
        if let ttl = changes.accessTokenTTL { client.accessTokenTTL = ttl }
        if let status = changes.status { client.status = status }
        if let verified = changes.verified {
            guard client.origin != .admin else {
                throw ValidationError(field: "verified", "client '\(id)' was made by an administrator")
            }
            client.verified = verified
        }
        client.requirements = changes.applied(to: client.requirements)
        if let name = changes.idTokenSigningAlgorithm {
            client.requirements.idTokenSigningAlgorithm = try Self.idTokenAlgorithm(name, in: tenant)
        }
        client.backchannelLogout = try Self.backchannelLogout(
            uri: changes.backchannelLogoutURI, sessionRequired: changes.backchannelLogoutSessionRequired,
            current: client.backchannelLogout)
        try client.validate()
        // After validation: invalid input is 422 whatever the version, as the document says.
        try Self.check(expectedVersion, current: readVersion)
        try await provisionIDTokenLine(
            client.requirements.idTokenSigningAlgorithm, in: tenant, actor: actor, requestID: requestID)
        return try await save(client, .clientUpdate, actor: actor, requestID: requestID)
    }

    /// A new secret, shown once; the old one stops working on every instance within a second.
    public func rotateClientSecret(
        in tenant: Tenant, id: String, actor: String, requestID: String? = nil
    ) async throws -> (Client, String) {
        var client = try await client(in: tenant, id: id)
        guard client.authMethod.usesSecret else {
            throw ValidationError(field: "client_id", "client '\(id)' authenticates without a secret")
        }
        let secret = RandomToken.generate()
        client.secretHash = SecretHash(of: secret)
        return (try await save(client, .clientSecretRotate, actor: actor, requestID: requestID), secret)
    }

    /// Deletes the client, revokes its refresh tokens and forgets the consents users gave it;
    /// its access tokens run out within their short lifetime.
    public func deleteClient(in tenant: Tenant, id: String, actor: String, requestID: String? = nil) async throws {
        let client = try await client(in: tenant, id: id)
        let now = clock()
        try await store.audited(
            AuditedChange(
                tenantID: tenant.id, actor: actor, requestID: requestID, at: now,
                records: [AuditRecord(action: .clientDelete, target: client.id)], feed: (.client, client.id))
        ) { operations in
            guard try await operations.deleteClient(tenantID: tenant.id, id: client.id) else {
                throw AdministrationError.unknownClient(client.id)
            }
            // Nothing the client was given outlives it: its grants and what users allowed it.
            try await operations.revokeRefreshTokens(tenantID: tenant.id, clientID: client.id, at: now)
            try await operations.deleteConsents(tenantID: tenant.id, clientID: client.id)
        }
    }

    /// A client's back-channel logout registration after a change (§2.2): a new URI, validated;
    /// an empty one removes it; the session flag alone needs a URI to go with.
    static func backchannelLogout(
        uri: String?, sessionRequired: Bool?, current: BackChannelLogout?
    ) throws(ValidationError) -> BackChannelLogout? {
        if uri == "" { return nil }
        guard let uri = uri ?? current?.uri else {
            guard sessionRequired == nil else {
                throw ValidationError(
                    field: "backchannel_logout_session_required", "applies only with a backchannel_logout_uri")
            }
            return nil
        }
        return try BackChannelLogout(uri: uri, sessionRequired: sessionRequired ?? current?.sessionRequired ?? false)
    }

    /// The requested scopes, each one the tenant has.
    private func knownScopes(_ names: [String], in tenant: Tenant) async throws -> ScopeSet {
        let requested = try ScopeSet(parsing: names.joined(separator: " "))
        let known = ScopeSet(try await store.scopes(tenantID: tenant.id).map(\.name))
        if let unknown = requested.subtracting(known).sorted.first {
            throw AdministrationError.unknownScope(unknown)
        }
        return requested
    }

    private func save(_ client: Client, _ action: AuditAction, actor: String, requestID: String?) async throws -> Client
    {
        try await saveNextVersion(
            client, in: client.tenantID, [AuditRecord(action: action, target: client.id)], feed: (.client, client.id),
            actor: actor, requestID: requestID
        ) { operations, saved in try await operations.updateClient(saved) }
    }
}
