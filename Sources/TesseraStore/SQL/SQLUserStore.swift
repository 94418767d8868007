import Foundation
import TesseraCore

extension SQLExecutor {
    public func insertUser(_ user: User) async throws {
        try await execute(
            """
            INSERT INTO users (tenant_id, id, username, password_hash, status, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """,
            [
                .uuid(user.tenantID), .uuid(user.id), .text(user.username), .text(user.passwordHash),
                .text(user.status.rawValue), .date(user.createdAt), .date(user.updatedAt),
            ])
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
            passwordHash: try row.string("password_hash"), status: status, createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at"))
    }
}
