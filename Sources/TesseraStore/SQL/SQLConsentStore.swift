import Foundation
import TesseraCore

extension SQLExecutor {
    public func consent(tenantID: UUID, userID: UUID, clientID: String) async throws -> Consent? {
        try await first(
            "SELECT * FROM consents WHERE tenant_id = $1 AND user_id = $2 AND client_id = $3",
            [.uuid(tenantID), .uuid(userID), .text(clientID)]
        ).map(Consent.init(row:))
    }

    public func saveConsent(_ consent: Consent) async throws {
        try await execute(
            """
            INSERT INTO consents (tenant_id, user_id, client_id, scopes, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (tenant_id, user_id, client_id) DO UPDATE SET scopes = $4, updated_at = $6
            """,
            [
                .uuid(consent.tenantID), .uuid(consent.userID), .text(consent.clientID),
                .text(consent.scopes.description), .date(consent.createdAt), .date(consent.updatedAt),
            ])
    }

    public func consents(tenantID: UUID, userID: UUID) async throws -> [Consent] {
        try await execute(
            "SELECT * FROM consents WHERE tenant_id = $1 AND user_id = $2 ORDER BY client_id",
            [.uuid(tenantID), .uuid(userID)]
        ).map(Consent.init(row:))
    }

    public func deleteConsent(tenantID: UUID, userID: UUID, clientID: String) async throws -> Bool {
        !(try await execute(
            "DELETE FROM consents WHERE tenant_id = $1 AND user_id = $2 AND client_id = $3 RETURNING client_id",
            [.uuid(tenantID), .uuid(userID), .text(clientID)]
        ).isEmpty)
    }
}

extension SQLExecutor {
    public func deleteConsents(tenantID: UUID, clientID: String) async throws -> Int {
        try await execute(
            "DELETE FROM consents WHERE tenant_id = $1 AND client_id = $2 RETURNING client_id",
            [.uuid(tenantID), .text(clientID)]
        ).count
    }
}

extension Consent {
    init(row: SQLRow) throws {
        self.init(
            tenantID: try row.uuid("tenant_id"), userID: try row.uuid("user_id"), clientID: try row.string("client_id"),
            scopes: try row.scopeSet("scopes"), createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at"))
    }
}

extension SQLRow {
    /// Scope sets of grants are stored space-separated, as they travel in OAuth.
    func scopeSet(_ column: String) throws -> ScopeSet {
        do {
            return try ScopeSet(parsing: try string(column))
        } catch {
            throw StoreError.corrupt("column \(column) holds an invalid scope list")
        }
    }

    /// Audiences contain no whitespace (`Client.validateAudience`), so they are stored space-separated.
    func audienceList(_ column: String) throws -> [String] {
        (try optionalString(column) ?? "").split(separator: " ").map(String.init)
    }
}

extension SQLValue {
    static func audienceList(_ audience: [String]) -> SQLValue {
        audience.isEmpty ? .null : .text(audience.joined(separator: " "))
    }
}
