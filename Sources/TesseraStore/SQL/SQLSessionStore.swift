import Foundation
import TesseraCore

extension SQLExecutor {
    public func insertSession(_ session: SessionRecord) async throws {
        try await execute(
            """
            INSERT INTO sessions (tenant_id, sid, user_id, created_at, auth_time, expires_at, ended_at, amr, browser)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """,
            [
                .uuid(session.tenantID), .text(session.sid), .uuid(session.userID), .date(session.createdAt),
                .date(session.authTime), .date(session.expiresAt), session.endedAt.map(SQLValue.date) ?? .null,
                .text(session.methods.map(\.rawValue).joined(separator: " ")), .text(session.browser),
            ])
    }

    public func session(tenantID: UUID, sid: String) async throws -> SessionRecord? {
        try await first("SELECT * FROM sessions WHERE tenant_id = $1 AND sid = $2", [.uuid(tenantID), .text(sid)])
            .map(SessionRecord.init(row:))
    }

    public func reauthenticateSession(
        tenantID: UUID, sid: String, authTime: Date, methods: [AuthenticationMethod], expiresAt: Date
    ) async throws {
        try await execute(
            """
            UPDATE sessions SET auth_time = $3, amr = $4, expires_at = $5
            WHERE tenant_id = $1 AND sid = $2 AND ended_at IS NULL
            """,
            [
                .uuid(tenantID), .text(sid), .date(authTime), .text(methods.map(\.rawValue).joined(separator: " ")),
                .date(expiresAt),
            ])
    }

    public func activeSessions(tenantID: UUID, userID: UUID, at date: Date) async throws -> [SessionRecord] {
        try await execute(
            """
            SELECT * FROM sessions
            WHERE tenant_id = $1 AND user_id = $2 AND ended_at IS NULL AND expires_at > $3
            ORDER BY created_at DESC, sid
            """, [.uuid(tenantID), .uuid(userID), .date(date)]
        ).map(SessionRecord.init(row:))
    }

    public func endSession(tenantID: UUID, sid: String, at date: Date) async throws -> Bool {
        // One statement decides: of two sign-outs of one session, one ends it (and notifies).
        !(try await execute(
            """
            UPDATE sessions SET ended_at = $3
            WHERE tenant_id = $1 AND sid = $2 AND ended_at IS NULL AND expires_at > $3
            RETURNING sid
            """, [.uuid(tenantID), .text(sid), .date(date)]
        ).isEmpty)
    }

    public func recordSessionClient(
        tenantID: UUID, sid: String, clientID: String, at date: Date, expiresAt: Date
    ) async throws {
        try await execute(
            """
            INSERT INTO session_clients (tenant_id, sid, client_id, first_at, expires_at) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (tenant_id, sid, client_id) DO NOTHING
            """, [.uuid(tenantID), .text(sid), .text(clientID), .date(date), .date(expiresAt)])
    }

    public func sessionClients(tenantID: UUID, sid: String) async throws -> [String] {
        try await execute(
            "SELECT client_id FROM session_clients WHERE tenant_id = $1 AND sid = $2 ORDER BY client_id",
            [.uuid(tenantID), .text(sid)]
        ).map { try $0.string("client_id") }
    }
}

extension SessionRecord {
    init(row: SQLRow) throws {
        let sid = try row.string("sid")
        var methods: [AuthenticationMethod] = []
        for name in try row.string("amr").split(separator: " ") {
            guard let method = AuthenticationMethod(rawValue: String(name)) else {
                throw StoreError.corrupt("session \(sid): unknown method \(name)")
            }
            methods.append(method)
        }
        self.init(
            tenantID: try row.uuid("tenant_id"), sid: sid, userID: try row.uuid("user_id"),
            createdAt: try row.date("created_at"), authTime: try row.date("auth_time"),
            expiresAt: try row.date("expires_at"), endedAt: try row.optionalDate("ended_at"), methods: methods,
            browser: try row.string("browser"))
    }
}
