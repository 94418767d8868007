import Foundation
import TesseraCore

extension SQLExecutor {
    public func insertUser(_ user: User) async throws {
        try await execute(
            """
            INSERT INTO users (tenant_id, id, username, password_hash, status, version, created_at, updated_at, roles)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """,
            [
                .uuid(user.tenantID), .uuid(user.id), .text(user.username), .text(user.passwordHash),
                .text(user.status.rawValue), .int(user.version), .date(user.createdAt), .date(user.updatedAt),
                .text(user.rolesColumn),
            ])
    }

    public func updateUser(_ user: User) async throws {
        let rows = try await execute(
            """
            UPDATE users SET password_hash = $3, status = $4, version = $5, updated_at = $6, roles = $8
            WHERE tenant_id = $1 AND id = $2 AND version = $7
            RETURNING id
            """,
            [
                .uuid(user.tenantID), .uuid(user.id), .text(user.passwordHash), .text(user.status.rawValue),
                .int(user.version), .date(user.updatedAt), .int(user.version - 1), .text(user.rolesColumn),
            ])
        guard !rows.isEmpty else {
            throw StoreError.conflict("user \(user.id) is missing or was changed since version \(user.version - 1)")
        }
    }

    public func user(tenantID: UUID, id: UUID) async throws -> User? {
        try await first("SELECT * FROM users WHERE tenant_id = $1 AND id = $2", [.uuid(tenantID), .uuid(id)])
            .map(User.init(row:))
    }

    public func user(tenantID: UUID, username: String) async throws -> User? {
        try await first(
            "SELECT * FROM users WHERE tenant_id = $1 AND username = $2", [.uuid(tenantID), .text(username)]
        ).map(User.init(row:))
    }

    public func users(tenantID: UUID, after cursor: String?, limit: Int) async throws -> [User] {
        try await execute(
            "SELECT * FROM users WHERE tenant_id = $1 AND username > $2 ORDER BY username LIMIT $3",
            [.uuid(tenantID), .text(cursor ?? ""), .int(limit)]
        ).map(User.init(row:))
    }
}

extension User {
    init(row: SQLRow) throws {
        let id = try row.uuid("id")
        guard let status = User.Status(rawValue: try row.string("status")) else {
            throw StoreError.corrupt("user \(id)")
        }
        self.init(
            tenantID: try row.uuid("tenant_id"), id: id, username: try row.string("username"),
            passwordHash: try row.string("password_hash"), status: status, version: try row.int("version"),
            createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at"))
        // Space-separated role names; one this version does not know is corruption, not a grant.
        for name in try row.string("roles").split(separator: " ") {
            guard let role = AdminRole(rawValue: String(name)) else { throw StoreError.corrupt("user \(id) roles") }
            roles.append(role)
        }
    }

    var rolesColumn: String { roles.map(\.rawValue).joined(separator: " ") }
}
