import Foundation
import TesseraCore
import TesseraStore

// Tenants: created with their built-in scopes, first keys and (through the API) first admin
// client; read by slug; their settings and status changed.

extension Administration {
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

    /// A tenant's first admin client: client credentials with `tessera:admin`, for the tenant's
    /// own admin API. Its secret is returned once.
    public struct AdminCredentials: Sendable {
        public let client: Client
        public let secret: String
    }

    /// Creates a tenant with its built-in scopes and its first signing keys (`current` and
    /// `next`), all in one transaction.
    @discardableResult
    public func createTenant(slug: String, name: String?, actor: String) async throws -> Tenant {
        try await createTenant(slug: slug, name: name, actor: actor, withAdminClient: false).tenant
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
        var records = [AuditRecord(action: .tenantCreate, target: slug.rawValue)]
        if withAdminClient {
            let secret = RandomToken.generate()
            let client = Client(
                tenantID: tenant.id, id: Client.generateID(), name: "Administrator", authMethod: .clientSecretBasic,
                secretHash: SecretHash(of: secret), grantTypes: [.clientCredentials],
                scopes: ScopeSet(["tessera:admin"]), createdAt: now)
            try client.validate()
            admin = AdminCredentials(client: client, secret: secret)
            records.append(Self.clientCreated(client))
        }
        let adminClient = admin?.client
        do {
            try await store.audited(
                AuditedChange(
                    tenantID: tenant.id, actor: actor, requestID: requestID, at: now, records: records,
                    feed: (.tenant, ""))
            ) { operations in
                try await operations.insertTenant(tenant)
                for scope in Self.builtInScopes {
                    try await operations.insertScope(
                        Scope(tenantID: tenant.id, name: scope.name, description: scope.description, createdAt: now))
                }
                for key in keys { try await operations.insertSigningKey(key) }
                if let adminClient { try await operations.insertClient(adminClient) }
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

    /// The tenant named `slug`, active or not.
    public func tenant(_ slug: String) async throws -> Tenant {
        guard let parsed = try? TenantSlug(slug), let tenant = try await store.tenant(slug: parsed) else {
            throw AdministrationError.unknownTenant(slug)
        }
        return tenant
    }

    /// A page of tenants by slug, after `cursor`.
    public func tenants(after cursor: String?, limit: Int) async throws -> [Tenant] {
        try await store.tenants(after: try cursor.map { try TenantSlug($0) }, limit: limit)
    }

    public func allTenants() async throws -> [Tenant] {
        var all: [Tenant] = []
        while true {
            let page = try await store.tenants(after: all.last?.slug, limit: 500)
            all += page
            if page.count < 500 { return all }
        }
    }

    /// Changes settings, all or none; every instance uses them within a second.
    public func updateSettings(
        of tenant: Tenant, _ changes: [TenantSetting: TenantSettingValue], actor: String, requestID: String? = nil
    ) async throws -> Tenant {
        guard !changes.isEmpty else { return tenant }
        var updated = tenant
        try updated.settings.apply(changes)
        let set = TenantSetting.all.compactMap { setting in changes[setting].map { "\(setting.name)=\($0)" } }
        return try await save(
            updated,
            AuditRecord(
                action: .tenantSettingsUpdate, target: tenant.slug.rawValue, details: AuditDetails().strings("set", set)
            ),
            actor: actor, requestID: requestID)
    }

    /// Enables or disables a tenant (its issuer stops answering when disabled).
    public func setStatus(
        of tenant: Tenant, _ status: Tenant.Status, expectedVersion: Int?, actor: String, requestID: String? = nil
    ) async throws -> Tenant {
        try Self.check(expectedVersion, current: tenant.version)
        guard tenant.slug != .system || status == .active else {
            throw ValidationError(field: "status", "the system tenant cannot be disabled")
        }
        var updated = tenant
        updated.status = status
        return try await save(
            updated,
            AuditRecord(action: status == .disabled ? .tenantDisable : .tenantEnable, target: tenant.slug.rawValue),
            actor: actor, requestID: requestID)
    }

    func save(_ tenant: Tenant, _ record: AuditRecord, actor: String, requestID: String?) async throws -> Tenant {
        try await saveNextVersion(
            tenant, in: tenant.id, [record], feed: (.tenant, ""), actor: actor, requestID: requestID
        ) {
            operations, saved in try await operations.updateTenant(saved)
        }
    }
}
