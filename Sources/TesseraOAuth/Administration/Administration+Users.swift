import Foundation
import TesseraCore
import TesseraStore

// Users of one tenant: created with a password (hashed off the event loop), read, disabled or
// enabled, their password reset, their consents listed.

extension Administration {
    /// A page of the tenant's users by username, after `cursor`.
    public func users(in tenant: Tenant, after cursor: String?, limit: Int) async throws -> [User] {
        try await store.users(tenantID: tenant.id, after: cursor, limit: limit)
    }

    public func user(in tenant: Tenant, id: String) async throws -> User {
        guard let uuid = UUID(uuidString: id), let user = try await store.user(tenantID: tenant.id, id: uuid) else {
            throw AdministrationError.unknownUser(id)
        }
        return user
    }

    /// The user of `username` (compared case-insensitively, as the login page does).
    public func user(in tenant: Tenant, username: String) async throws -> User {
        guard let normalized = try? User.normalizeUsername(username),
            let user = try await store.user(tenantID: tenant.id, username: normalized)
        else { throw AdministrationError.unknownUser(username) }
        return user
    }

    public func createUser(
        in tenant: Tenant, username: String, password: String, actor: String, requestID: String? = nil
    ) async throws -> User {
        let username = try User.normalizeUsername(username)
        try User.validatePassword(password)
        let user = User(
            tenantID: tenant.id, username: username, passwordHash: try await passwords.hash(password),
            createdAt: clock())
        do {
            try await store.audited(
                AuditedChange(
                    tenantID: tenant.id, actor: actor, requestID: requestID, at: user.createdAt,
                    records: [AuditRecord(action: .userCreate, target: Self.target(user))])
            ) { operations in try await operations.insertUser(user) }
        } catch StoreError.conflict {
            throw AdministrationError.duplicate("user '\(username)' in tenant '\(tenant.slug)'")
        }
        return user
    }

    /// Disables or enables a user, or resets their password. Disabling revokes nothing by
    /// itself: their refresh tokens stop working at the next use (the grants check the user).
    /// `roles`, when given, replaces the user's roles (docs/admin-roles.md); each role added or
    /// removed is its own audit line.
    public func updateUser(
        in tenant: Tenant, id: String, status: User.Status?, password: String?, roles: [AdminRole]? = nil,
        expectedVersion: Int?, actor: String, requestID: String? = nil
    ) async throws -> User {
        if let password { try User.validatePassword(password) }
        var user = try await user(in: tenant, id: id)
        try Self.check(expectedVersion, current: user.version)
        var records: [AuditRecord] = []
        if let roles {
            let wanted = Array(Set(roles)).sorted()
            for role in wanted where !user.roles.contains(role) {
                records.append(
                    AuditRecord(
                        action: .userRoleAdd, target: Self.target(user),
                        details: AuditDetails().strings("role", [role.rawValue])))
            }
            for role in user.roles where !wanted.contains(role) {
                records.append(
                    AuditRecord(
                        action: .userRoleRemove, target: Self.target(user),
                        details: AuditDetails().strings("role", [role.rawValue])))
            }
            user.roles = wanted
        }
        var actions: [AuditAction] = []
        if let status, status != user.status {
            user.status = status
            actions.append(status == .disabled ? .userDisable : .userEnable)
        }
        if let password {
            user.passwordHash = try await passwords.hash(password)
            actions.append(.userPasswordReset)
        }
        records += (actions.isEmpty && records.isEmpty ? [.userUpdate] : actions).map {
            AuditRecord(action: $0, target: Self.target(user))
        }
        return try await saveNextVersion(user, in: tenant.id, records, actor: actor, requestID: requestID) {
            operations, saved in try await operations.updateUser(saved)
        }
    }

    /// Grants (`granted`) or withdraws one role: the CLI's `tessera user role add|remove`.
    public func changeRole(
        _ role: AdminRole, granted: Bool, of user: User, in tenant: Tenant, actor: String, requestID: String? = nil
    ) async throws -> User {
        let roles = granted ? user.roles + [role] : user.roles.filter { $0 != role }
        return try await updateUser(
            in: tenant, id: Self.target(user), status: nil, password: nil, roles: roles,
            expectedVersion: user.version, actor: actor, requestID: requestID)
    }

    /// The apps the user has allowed, in no particular order.
    public func consents(of user: User, in tenant: Tenant) async throws -> [Consent] {
        try await store.consents(tenantID: tenant.id, userID: user.id)
    }

    static func target(_ user: User) -> String { user.id.uuidString.lowercased() }
}
