import Foundation
import TesseraCore
import TesseraStore

// Changes to what exists, for the admin API: each checks the version the caller last saw (its
// ETag), so two admins never overwrite each other unknowingly, and writes its audit event and
// change-feed entry in the same transaction.

extension Administration {
    /// The fields of a client an admin may change; nil leaves a field as it is.
    public struct ClientChanges: Sendable {
        public var name: String?
        public var grants: [String]?
        public var scopes: [String]?
        public var redirectURIs: [String]?
        public var audiences: [String]?
        public var accessTokenTTL: Int?
        public var status: Client.Status?

        public init(
            name: String? = nil, grants: [String]? = nil, scopes: [String]? = nil, redirectURIs: [String]? = nil,
            audiences: [String]? = nil, accessTokenTTL: Int? = nil, status: Client.Status? = nil
        ) {
            self.name = name
            self.grants = grants
            self.scopes = scopes
            self.redirectURIs = redirectURIs
            self.audiences = audiences
            self.accessTokenTTL = accessTokenTTL
            self.status = status
        }
    }

    public func client(tenant slug: String, id: String) async throws -> (Tenant, Client) {
        let tenant = try await tenant(slug)
        guard let client = try await store.client(tenantID: tenant.id, id: id) else {
            throw AdministrationError.unknownClient(id)
        }
        return (tenant, client)
    }

    public func updateClient(
        tenant slug: String, id: String, _ changes: ClientChanges, expectedVersion: Int?, actor: String,
        requestID: String? = nil
    ) async throws -> Client {
        var (tenant, client) = try await client(tenant: slug, id: id)
        let readVersion = client.version
        if let name = changes.name { client.name = name }
        if let grants = changes.grants {
            client.grantTypes = Self.unique(
                try grants.map { grant throws(ValidationError) in try GrantType(validating: grant) })
        }
        if let scopes = changes.scopes {
            let requested = try ScopeSet(parsing: scopes.joined(separator: " "))
            let known = ScopeSet(try await store.scopes(tenantID: tenant.id).map(\.name))
            if let unknown = requested.subtracting(known).sorted.first {
                throw ValidationError(field: "scope", "this tenant has no scope '\(unknown)'")
            }
            client.scopes = requested
        }
        if let uris = changes.redirectURIs {
            client.redirectURIs = Self.unique(try uris.map { uri throws(ValidationError) in try RedirectURI(uri) })
        }
        if let audiences = changes.audiences { client.audiences = Self.unique(audiences) }
        if let ttl = changes.accessTokenTTL { client.accessTokenTTL = ttl }
        if let status = changes.status { client.status = status }
        try client.validate()
        // After validation: invalid input is 422 whatever the version, as the document says.
        try Self.check(expectedVersion, current: readVersion)
        return try await save(client, in: tenant, action: "client.update", actor: actor, requestID: requestID)
    }

    /// A new secret, shown once; the old one stops working on every instance within a second.
    public func rotateClientSecret(
        tenant slug: String, id: String, actor: String, requestID: String? = nil
    ) async throws -> (Client, String) {
        var (tenant, client) = try await client(tenant: slug, id: id)
        guard client.authMethod.usesSecret else {
            throw ValidationError(field: "client_id", "client '\(id)' authenticates without a secret")
        }
        let secret = RandomToken.generate()
        client.secretHash = SecretHash(of: secret)
        let saved = try await save(
            client, in: tenant, action: "client.secret.rotate", actor: actor, requestID: requestID)
        return (saved, secret)
    }

    /// Deletes the client, revokes its refresh tokens and forgets the consents users gave it;
    /// its access tokens run out within their short lifetime.
    public func deleteClient(tenant slug: String, id: String, actor: String, requestID: String? = nil) async throws {
        let (tenant, client) = try await client(tenant: slug, id: id)
        let now = clock()
        try await store.transaction { operations in
            guard try await operations.deleteClient(tenantID: tenant.id, id: client.id) else {
                throw AdministrationError.unknownClient(client.id)
            }
            // Nothing the client was given outlives it: its grants and what users allowed it.
            try await operations.revokeRefreshTokens(tenantID: tenant.id, clientID: client.id, at: now)
            try await operations.deleteConsents(tenantID: tenant.id, clientID: client.id)
            try await operations.recordChange(
                Change(tenantID: tenant.id, kind: .client, subject: client.id, changedAt: now))
            try await operations.appendAudit(
                AuditEvent(
                    tenantID: tenant.id, occurredAt: now, actor: actor, action: "client.delete", target: client.id,
                    requestID: requestID))
        }
    }

    private func save(
        _ client: Client, in tenant: Tenant, action: String, actor: String, requestID: String?
    ) async throws -> Client {
        var updated = client
        updated.version += 1
        updated.updatedAt = clock()
        let saved = updated
        do {
            try await store.transaction { operations in
                try await operations.updateClient(saved)
                try await operations.recordChange(
                    Change(tenantID: tenant.id, kind: .client, subject: saved.id, changedAt: saved.updatedAt))
                try await operations.appendAudit(
                    AuditEvent(
                        tenantID: tenant.id, occurredAt: saved.updatedAt, actor: actor, action: action,
                        target: saved.id, requestID: requestID))
            }
        } catch StoreError.conflict {
            throw AdministrationError.versionMismatch(current: nil)
        }
        return saved
    }

    // MARK: Users

    public func user(tenant slug: String, id: String) async throws -> (Tenant, User) {
        let tenant = try await tenant(slug)
        guard let uuid = UUID(uuidString: id), let user = try await store.user(tenantID: tenant.id, id: uuid) else {
            throw AdministrationError.unknownUser(id)
        }
        return (tenant, user)
    }

    /// Disables or enables a user, or resets their password. Disabling revokes nothing by
    /// itself: their refresh tokens stop working at the next use (the grants check the user).
    public func updateUser(
        tenant slug: String, id: String, status: User.Status?, password: String?, expectedVersion: Int?, actor: String,
        requestID: String? = nil
    ) async throws -> User {
        if let password { try User.validatePassword(password) }
        var (tenant, user) = try await user(tenant: slug, id: id)
        _ = tenant
        try Self.check(expectedVersion, current: user.version)
        var actions: [String] = []
        if let status, status != user.status {
            user.status = status
            actions.append(status == .disabled ? "user.disable" : "user.enable")
        }
        if let password {
            user.passwordHash = try await passwords.hash(password)
            actions.append("user.password.reset")
        }
        user.version += 1
        user.updatedAt = clock()
        let saved = user
        let tenantID = tenant.id
        let recorded = actions.isEmpty ? ["user.update"] : actions
        do {
            try await store.transaction { operations in
                try await operations.updateUser(saved)
                for action in recorded {
                    try await operations.appendAudit(
                        AuditEvent(
                            tenantID: tenantID, occurredAt: saved.updatedAt, actor: actor, action: action,
                            target: saved.id.uuidString.lowercased(), requestID: requestID))
                }
            }
        } catch StoreError.conflict {
            throw AdministrationError.versionMismatch(current: nil)
        }
        return saved
    }

    // MARK: Tenants

    /// Enables or disables a tenant (its issuer stops answering when disabled).
    public func setTenantStatus(
        slug: String, status: Tenant.Status, expectedVersion: String?, actor: String, requestID: String? = nil
    ) async throws -> Tenant {
        var tenant = try await tenant(slug)
        if let expectedVersion, expectedVersion != Self.version(of: tenant) {
            throw AdministrationError.versionMismatch(current: Self.version(of: tenant))
        }
        guard tenant.slug != .system || status == .active else {
            throw ValidationError(field: "status", "the system tenant cannot be disabled")
        }
        tenant.status = status
        tenant.updatedAt = clock()
        let saved = tenant
        try await store.transaction { operations in
            try await operations.updateTenant(saved)
            try await operations.recordChange(Change(tenantID: saved.id, kind: .tenant, changedAt: saved.updatedAt))
            try await operations.appendAudit(
                AuditEvent(
                    tenantID: saved.id, occurredAt: saved.updatedAt, actor: actor,
                    action: status == .disabled ? "tenant.disable" : "tenant.enable", target: saved.slug.rawValue,
                    requestID: requestID))
        }
        return saved
    }

    /// A tenant's version for ETags: its last change, to the millisecond.
    public static func version(of tenant: Tenant) -> String {
        String(Int((tenant.updatedAt.timeIntervalSince1970 * 1_000).rounded()))
    }

    static func check(_ expected: Int?, current: Int) throws {
        if let expected, expected != current {
            throw AdministrationError.versionMismatch(current: String(current))
        }
    }
}
