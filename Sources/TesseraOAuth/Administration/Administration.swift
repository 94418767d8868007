import Foundation
import TesseraCore
import TesseraStore

/// The management operations every front end shares: the CLI today, the admin API later.
/// Each validates its input, writes in one transaction with its audit event, and reports
/// failures as `ValidationError` or `AdministrationError`, never as a driver error.
public struct Administration: Sendable {
    public let store: any Store
    public let publicURL: PublicURL
    public let passwords: PasswordHasher
    let keyProvisioner: TenantKeyProvisioner
    let clock: @Sendable () -> Date

    public init(
        store: any Store, publicURL: PublicURL, passwords: PasswordHasher, keyProvisioner: TenantKeyProvisioner,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.publicURL = publicURL
        self.passwords = passwords
        self.keyProvisioner = keyProvisioner
        self.clock = clock
    }

    /// Scopes every tenant has from birth: OpenID Connect's, and the admin API's.
    public static let builtInScopes: [(name: String, description: String)] = [
        ("openid", "Sign you in and share your user id"),
        ("profile", "See your basic profile"),
        ("email", "See your email address"),
        ("offline_access", "Keep access while you are away"),
        ("tessera:admin", "Administer this tenant"),
        ("tessera:admin:clients", "Manage this tenant's clients"),
        ("tessera:admin:users", "Manage this tenant's users"),
        ("tessera:admin:scopes", "Manage this tenant's scopes"),
        ("tessera:admin:keys", "Manage this tenant's signing keys"),
        ("tessera:admin:audit", "Read this tenant's audit log"),
    ]

    // MARK: Tenants

    /// Creates a tenant with its built-in scopes and its first signing keys (`current` and
    /// `next`), all in one transaction.
    @discardableResult
    public func createTenant(slug: String, name: String?, actor: String) async throws -> Tenant {
        try await createTenant(slug: slug, name: name, actor: actor, withAdminClient: false).tenant
    }

    /// A tenant's first admin client: client credentials with `tessera:admin`, for the tenant's
    /// own admin API. Its secret is returned once.
    public struct AdminCredentials: Sendable {
        public let client: Client
        public let secret: String
    }

    /// Like `createTenant`, and with `withAdminClient` also the tenant's first admin client, in
    /// the same transaction: a tenant never exists without the means to administer it.
    public func createTenant(
        slug: String, name: String?, actor: String, withAdminClient: Bool, requestID: String? = nil
    ) async throws -> (tenant: Tenant, admin: AdminCredentials?) {
        let slug = try TenantSlug(slug)
        let now = clock()
        let tenant = Tenant(slug: slug, name: try Tenant.validateName(name ?? slug.rawValue), createdAt: now)
        let keys = try keyProvisioner.initialKeys(tenant)
        var admin: AdminCredentials?
        if withAdminClient {
            let secret = RandomToken.generate()
            let client = Client(
                tenantID: tenant.id, id: Client.generateID(), name: "Administrator", authMethod: .clientSecretBasic,
                secretHash: SecretHash(of: secret), grantTypes: [.clientCredentials],
                scopes: ScopeSet(["tessera:admin"]), createdAt: now)
            try client.validate()
            admin = AdminCredentials(client: client, secret: secret)
        }
        let adminClient = admin?.client
        do {
            try await store.transaction { operations in
                try await operations.insertTenant(tenant)
                for scope in Self.builtInScopes {
                    try await operations.insertScope(
                        Scope(tenantID: tenant.id, name: scope.name, description: scope.description, createdAt: now))
                }
                for key in keys { try await operations.insertSigningKey(key) }
                if let adminClient { try await operations.insertClient(adminClient) }
                try await operations.recordChange(Change(tenantID: tenant.id, kind: .tenant, changedAt: now))
                try await operations.appendAudit(
                    AuditEvent(
                        tenantID: tenant.id, occurredAt: now, actor: actor, action: "tenant.create",
                        target: slug.rawValue, requestID: requestID))
                if let adminClient {
                    try await operations.appendAudit(
                        AuditEvent(
                            tenantID: tenant.id, occurredAt: now, actor: actor, action: "client.create",
                            target: adminClient.id, requestID: requestID,
                            details: Self.json(["name": [adminClient.name]])))
                }
            }
        } catch StoreError.conflict {
            throw AdministrationError.duplicate("tenant '\(slug)'")
        }
        return (tenant, admin)
    }

    /// The `system` tenant, whose admins create the others; made on first start.
    /// Returns the credentials of the system tenant's first admin client when this call created
    /// the tenant (the first start on an empty database), nil otherwise.
    @discardableResult
    public func ensureSystemTenant() async throws -> AdminCredentials? {
        guard try await store.tenant(slug: .system) == nil else { return nil }
        do {
            return try await createTenant(
                slug: TenantSlug.system.rawValue, name: "System", actor: "system", withAdminClient: true
            ).admin
        } catch AdministrationError.duplicate {
            // Another instance made it at the same moment, and wrote the credentials.
            return nil
        }
    }

    public func tenant(_ slug: String) async throws -> Tenant {
        guard let parsed = try? TenantSlug(slug), let tenant = try await store.tenant(slug: parsed) else {
            throw AdministrationError.unknownTenant(slug)
        }
        return tenant
    }

    public func allTenants() async throws -> [Tenant] {
        var all: [Tenant] = []
        while true {
            let page = try await store.tenants(after: all.last?.slug, limit: 500)
            all += page
            if page.count < 500 { return all }
        }
    }

    /// Applies `KEY=VALUE` assignments; all or none.
    public func updateSettings(tenant slug: String, assignments: [String], actor: String) async throws -> Tenant {
        var tenant = try await tenant(slug)
        guard !assignments.isEmpty else { return tenant }
        for assignment in assignments { try tenant.settings.set(assignment) }
        tenant.updatedAt = clock()
        let updated = tenant
        try await store.transaction { operations in
            try await operations.updateTenant(updated)
            try await operations.recordChange(Change(tenantID: updated.id, kind: .tenant, changedAt: updated.updatedAt))
            try await operations.appendAudit(
                AuditEvent(
                    tenantID: updated.id, occurredAt: updated.updatedAt, actor: actor, action: "tenant.settings.update",
                    target: updated.slug.rawValue, details: Self.json(["set": assignments])))
        }
        return updated
    }

    // MARK: Scopes

    public func createScope(
        tenant slug: String, name: String, description: String?, actor: String
    ) async throws
        -> Scope
    {
        let tenant = try await tenant(slug)
        let scope = Scope(
            tenantID: tenant.id, name: try Scope.validateName(name),
            description: try Scope.validateDescription(description ?? ""), createdAt: clock())
        do {
            try await store.transaction { operations in
                try await operations.insertScope(scope)
                try await operations.appendAudit(
                    AuditEvent(
                        tenantID: tenant.id, occurredAt: scope.createdAt, actor: actor, action: "scope.create",
                        target: scope.name))
            }
        } catch StoreError.conflict {
            throw AdministrationError.duplicate("scope '\(scope.name)' in tenant '\(slug)'")
        }
        return scope
    }

    // MARK: Clients

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

        public init(
            name: String, isPublic: Bool = false, authMethod: ClientAuthMethod? = nil, jwks: String? = nil,
            grants: [String] = [], scopes: [String] = [], redirectURIs: [String] = [], audiences: [String] = [],
            accessTokenTTL: Int? = nil
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
        }
    }

    /// Registers a client. The secret of a confidential client is returned here once and
    /// stored only as its SHA-256.
    public func createClient(
        tenant slug: String, _ registration: ClientRegistration, actor: String
    ) async throws
        -> (client: Client, secret: String?)
    {
        let tenant = try await tenant(slug)
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
        let requested = try ScopeSet(parsing: registration.scopes.joined(separator: " "))
        let known = ScopeSet(try await store.scopes(tenantID: tenant.id).map(\.name))
        if let unknown = requested.subtracting(known).sorted.first {
            throw ValidationError(
                field: "scope", "tenant '\(slug)' has no scope '\(unknown)'; create it with `tessera scope create`")
        }
        let secret = method.usesSecret ? RandomToken.generate() : nil
        let client = Client(
            tenantID: tenant.id, id: Client.generateID(), name: registration.name, authMethod: method,
            secretHash: secret.map(SecretHash.init(of:)), jwks: registration.jwks, grantTypes: Self.unique(grants),
            scopes: requested, redirectURIs: Self.unique(redirectURIs), audiences: Self.unique(registration.audiences),
            accessTokenTTL: registration.accessTokenTTL, createdAt: clock())
        try client.validate()
        try await store.transaction { operations in
            try await operations.insertClient(client)
            try await operations.recordChange(
                Change(tenantID: tenant.id, kind: .client, subject: client.id, changedAt: client.createdAt))
            try await operations.appendAudit(
                AuditEvent(
                    tenantID: tenant.id, occurredAt: client.createdAt, actor: actor, action: "client.create",
                    target: client.id, details: Self.json(["name": [client.name]])))
        }
        return (client, secret)
    }

    // MARK: Users

    public func createUser(
        tenant slug: String, username: String, password: String, actor: String
    ) async throws
        -> User
    {
        let tenant = try await tenant(slug)
        let username = try User.normalizeUsername(username)
        try User.validatePassword(password)
        let user = User(
            tenantID: tenant.id, username: username, passwordHash: try await passwords.hash(password),
            createdAt: clock())
        do {
            try await store.transaction { operations in
                try await operations.insertUser(user)
                try await operations.appendAudit(
                    AuditEvent(
                        tenantID: tenant.id, occurredAt: user.createdAt, actor: actor, action: "user.create",
                        target: user.id.uuidString.lowercased()))
            }
        } catch StoreError.conflict {
            throw AdministrationError.duplicate("user '\(username)' in tenant '\(slug)'")
        }
        return user
    }

    // MARK: Helpers

    static func unique<T: Hashable>(_ values: [T]) -> [T] {
        var seen = Set<T>()
        return values.filter { seen.insert($0).inserted }
    }

    static func json(_ object: [String: [String]]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(object)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
