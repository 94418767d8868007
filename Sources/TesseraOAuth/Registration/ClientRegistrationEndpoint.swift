import Foundation
import Logging
import TesseraCore
import TesseraJOSE
import TesseraStore

/// The registration endpoint (RFC 7591 §3) and the client configuration endpoint (RFC 7592) of a
/// tenant (docs/dynamic-client-registration.md). Who may register is the tenant's
/// `registration` setting; what they may register, its registration policy. Every registration,
/// update and deletion is one transaction with its audit line and a change-feed entry; a refused
/// request writes nothing (an initial access token's use is taken in the same transaction).
public struct ClientRegistrationEndpoint: Sendable {
    let store: any Store
    /// This instance's cache of clients: a client's own update or deletion takes effect here at
    /// once (RFC 7592 §2.3: a deleted client's id must stop working), before the change feed
    /// carries it to the other instances.
    let clients: CachedClientDirectory?
    let clock: @Sendable () -> Date

    public init(
        store: any Store, clients: CachedClientDirectory? = nil, clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.clients = clients
        self.clock = clock
    }

    /// What a registration or configuration request carries.
    public struct Request: Sendable {
        public let tenant: TenantContext
        public let body: [UInt8]
        /// The bearer token of the `Authorization` header, if any.
        public let bearer: String?
        public let requestID: String?

        public init(tenant: TenantContext, body: [UInt8], bearer: String?, requestID: String?) {
            self.tenant = tenant
            self.body = body
            self.bearer = bearer
            self.requestID = requestID
        }
    }

    /// The configuration endpoint of a client (RFC 7592 §1): `registration_client_uri`.
    public static func configurationURI(issuer: String, clientID: String) -> String {
        issuer + path + "/" + clientID
    }

    public static let path = AuthorizationServerMetadata.Path.registration
    static let maximumBody = 64 * 1024

    /// RFC 7591 §3.1: 201 with the client's metadata, its id, its secret when it has one, and
    /// the RFC 7592 registration access token.
    public func register(_ request: Request) async throws(OAuthError) -> JSONObject {
        let tenant = request.tenant
        let now = clock()
        switch tenant.settings.registration {
        case .closed:
            throw .forbidden("client registration is closed at this tenant")
        case .initialAccessToken:
            guard request.bearer != nil else {
                throw .invalidToken("an initial access token is required to register", presented: false)
            }
        case .open:
            break
        }
        var metadata = try Self.metadata(request.body)
        let policy = try await policy(of: tenant)
        if let statement = metadata.softwareStatement {
            let claims = try await SoftwareStatement.verify(statement, trusted: policy.softwareStatementJWKS, now: now)
            try metadata.overlay(statement: claims)
        } else if policy.requireSoftwareStatement {
            throw .invalidSoftwareStatement("this tenant registers only clients with a software statement")
        }
        let rules = RegistrationRules(policy: policy, tenantScopes: try await tenantScopes(tenant))
        let accessToken = RandomToken.generate()
        let id = Client.generateID()
        let (client, secret) = try rules.client(
            from: metadata, id: id, tenantID: tenant.id, existing: nil,
            registration: ClientRegistrationRecord(
                accessTokenHash: SecretHash(of: accessToken), metadata: metadata.described),
            now: now)
        let initialToken = tenant.settings.registration == .initialAccessToken ? request.bearer : nil
        let cap = tenant.settings.registrationMaxClients
        try await write(
            AuditedChange(
                tenantID: tenant.id, actor: "registration", requestID: request.requestID, at: now,
                records: [
                    AuditRecord(
                        action: .clientCreate, target: client.id,
                        details: AuditDetails().strings("name", [client.name]).strings("origin", ["registration"])
                            .strings("software_id", metadata.described.softwareID.map { [$0] } ?? []))
                ], feed: (.client, client.id))
        ) { operations in
            if let initialToken {
                guard
                    try await operations.spendRegistrationToken(
                        tenantID: tenant.id, tokenHash: SecretHash(of: initialToken), at: now)
                else { throw OAuthError.invalidToken("the initial access token is unknown, expired or used up") }
            }
            guard try await operations.registeredClientCount(tenantID: tenant.id) < cap else {
                throw OAuthError.forbidden("this tenant holds as many registered clients as it allows")
            }
            try await operations.insertClient(client)
        }
        return Self.information(
            client, secret: secret, accessToken: accessToken, issuer: tenant.issuer, described: metadata.described)
    }

    /// RFC 7592 §2.1: the client's current metadata.
    public func read(clientID: String, _ request: Request) async throws(OAuthError) -> JSONObject {
        let client = try await configured(clientID, request)
        return Self.information(
            client, secret: nil, accessToken: nil, issuer: request.tenant.issuer,
            described: client.registration?.metadata ?? RegisteredMetadata())
    }

    /// RFC 7592 §2.2: the metadata replaced as a whole (what the request leaves out goes back to
    /// its default), `client_id` as in the URL, the secret kept, a new registration access token.
    public func update(clientID: String, _ request: Request) async throws(OAuthError) -> JSONObject {
        let existing = try await configured(clientID, request)
        let tenant = request.tenant
        let metadata = try Self.metadata(request.body)
        guard metadata.clientID == clientID else {
            throw .invalidClientMetadata("client_id must be the client's id")
        }
        if let member = metadata.forbiddenInUpdate.first {
            throw .invalidClientMetadata("\(member) is set by the server and must not be sent (RFC 7592 §2.2)")
        }
        if let secret = metadata.clientSecret, existing.secretHash?.matches(secret) != true {
            throw .invalidClientMetadata("client_secret does not match the client's secret")
        }
        if metadata.softwareStatement != nil {
            throw .invalidClientMetadata("a software statement is taken at registration only")
        }
        let policy = try await policy(of: tenant)
        let rules = RegistrationRules(policy: policy, tenantScopes: try await tenantScopes(tenant))
        let accessToken = RandomToken.generate()
        let now = clock()
        var (client, _) = try rules.client(
            from: metadata, id: clientID, tenantID: tenant.id, existing: existing,
            registration: ClientRegistrationRecord(
                accessTokenHash: SecretHash(of: accessToken), metadata: metadata.described),
            now: now)
        client.version = existing.version + 1
        let saved = client
        try await write(
            AuditedChange(
                tenantID: tenant.id, actor: "client:\(clientID)", requestID: request.requestID, at: now,
                records: [AuditRecord(action: .clientUpdate, target: clientID)], feed: (.client, clientID))
        ) { operations in try await operations.updateClient(saved) }
        await clients?.invalidate(tenantID: tenant.id, clientID: clientID)
        return Self.information(
            saved, secret: nil, accessToken: accessToken, issuer: tenant.issuer, described: metadata.described)
    }

    /// RFC 7592 §2.3: the client, its refresh tokens and the consents users gave it, gone.
    public func delete(clientID: String, _ request: Request) async throws(OAuthError) {
        let client = try await configured(clientID, request)
        let tenant = request.tenant
        let now = clock()
        try await write(
            AuditedChange(
                tenantID: tenant.id, actor: "client:\(clientID)", requestID: request.requestID, at: now,
                records: [AuditRecord(action: .clientDelete, target: clientID)], feed: (.client, clientID))
        ) { operations in
            guard try await operations.deleteClient(tenantID: tenant.id, id: client.id) else {
                throw OAuthError.invalidToken("the registration access token is not valid for this client")
            }
            try await operations.revokeRefreshTokens(tenantID: tenant.id, clientID: client.id, at: now)
            try await operations.deleteConsents(tenantID: tenant.id, clientID: client.id)
        }
        await clients?.invalidate(tenantID: tenant.id, clientID: clientID)
    }

    /// The self-registered client the request's registration access token is for. An unknown
    /// client, another client's token, or a client an administrator made all read as a bad
    /// token (RFC 7592 §3), so the endpoint tells nobody which client ids exist.
    private func configured(_ clientID: String, _ request: Request) async throws(OAuthError) -> Client {
        guard let token = request.bearer else {
            throw .invalidToken("the registration access token is required", presented: false)
        }
        let tenant = request.tenant
        let client = try await storage { try await store.client(tenantID: tenant.id, id: clientID) }
        guard let client, let registration = client.registration, registration.accepts(token) else {
            throw .invalidToken("the registration access token is not valid for this client")
        }
        return client
    }

    private static func metadata(_ body: [UInt8]) throws(OAuthError) -> ClientMetadata {
        guard body.count <= maximumBody else { throw .invalidClientMetadata("the request body is too large") }
        let object: JSONObject
        do {
            object = try JSONReader.object(body)
        } catch {
            throw .invalidClientMetadata("the request body must be a JSON object: \(error.reason)")
        }
        return try ClientMetadata(object)
    }

    /// The tenant's registration policy, or the defaults while it never set one.
    private func policy(of tenant: TenantContext) async throws(OAuthError) -> RegistrationPolicy {
        try await storage { try await store.registrationPolicy(tenantID: tenant.id) } ?? .defaults
    }

    private func tenantScopes(_ tenant: TenantContext) async throws(OAuthError) -> Set<String> {
        Set(try await storage { try await store.scopes(tenantID: tenant.id) }.map(\.name))
    }

    /// A read, with the database's failure answered as `temporarily_unavailable` (503).
    private func storage<T: Sendable>(_ read: @Sendable () async throws -> T) async throws(OAuthError) -> T {
        do {
            return try await read()
        } catch {
            Logger(label: "tessera").warning("A registration could not be read", metadata: ["error": "\(error)"])
            throw .temporarilyUnavailable("the registration could not be read; retry")
        }
    }

    /// An audited write; an OAuth error thrown inside it rolls it back and is answered as is.
    private func write(
        _ change: AuditedChange, _ body: @escaping @Sendable (any StoreOperations) async throws -> Void
    ) async throws(OAuthError) {
        do {
            try await store.audited(change, body)
        } catch let error as OAuthError {
            throw error
        } catch {
            Logger(label: "tessera").warning("A registration could not be stored", metadata: ["error": "\(error)"])
            throw .temporarilyUnavailable("the registration could not be stored; retry")
        }
    }

    /// RFC 7591 §3.2.1 and RFC 7592 §3: the client information response.
    static func information(
        _ client: Client, secret: String?, accessToken: String?, issuer: String, described: RegisteredMetadata
    ) -> JSONObject {
        var members: [(String, JSONValue)] = [("client_id", .string(client.id))]
        if let secret {
            members.append(("client_secret", .string(secret)))
        }
        if client.authMethod.usesSecret {
            // §3.2.1: required with a secret; 0 is "never expires".
            members.append(("client_secret_expires_at", .integer(0)))
        }
        members.append(("client_id_issued_at", .integer(Int(client.createdAt.timeIntervalSince1970))))
        if let accessToken { members.append(("registration_access_token", .string(accessToken))) }
        members.append(("registration_client_uri", .string(configurationURI(issuer: issuer, clientID: client.id))))
        members.append(("client_name", .string(client.name)))
        members.append(("redirect_uris", .array(client.redirectURIs.map { .string($0.rawValue) })))
        members.append(("grant_types", .array(client.grantTypes.map { .string($0.rawValue) })))
        members.append(
            ("response_types", .array(client.grantTypes.contains(.authorizationCode) ? [.string("code")] : [])))
        members.append(("token_endpoint_auth_method", .string(client.authMethod.rawValue)))
        members.append(("scope", .string(client.scopes.description)))
        if let jwks = client.jwks, let set = try? JSONReader.object(Array(jwks.utf8)) {
            members.append(("jwks", .object(set)))
        }
        if client.requirements.dpopBoundAccessTokens { members.append(("dpop_bound_access_tokens", .bool(true))) }
        let optional: [(String, String?)] = [
            ("client_uri", described.clientURI), ("logo_uri", described.logoURI), ("tos_uri", described.tosURI),
            ("policy_uri", described.policyURI), ("software_id", described.softwareID),
            ("software_version", described.softwareVersion),
        ]
        for case (let name, let value?) in optional { members.append((name, .string(value))) }
        if !described.contacts.isEmpty { members.append(("contacts", .array(described.contacts.map(JSONValue.string)))) }
        return JSONObject(members: members)
    }
}
