import Foundation
import TesseraCore

extension SQLExecutor {
    public func insertDeviceCode(_ code: DeviceCode) async throws {
        try await execute(
            """
            INSERT INTO device_codes (tenant_id, device_code_hash, user_code, client_id, scopes, audience, status,
                user_id, auth_time, interval_seconds, last_polled_at, created_at, expires_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            """,
            [
                .uuid(code.tenantID), .bytes(code.deviceCodeHash.bytes), .text(code.userCode), .text(code.clientID),
                .text(code.scopes.description), .audienceList(code.audience), .text(code.status.rawValue),
                code.userID.map(SQLValue.uuid) ?? .null, code.authTime.map(SQLValue.date) ?? .null,
                .int(code.intervalSeconds), code.lastPolledAt.map(SQLValue.date) ?? .null, .date(code.createdAt),
                .date(code.expiresAt),
            ])
    }

    public func deviceCode(tenantID: UUID, deviceCodeHash: SecretHash) async throws -> DeviceCode? {
        try await first(
            "SELECT * FROM device_codes WHERE tenant_id = $1 AND device_code_hash = $2",
            [.uuid(tenantID), .bytes(deviceCodeHash.bytes)]
        ).map(DeviceCode.init(row:))
    }

    public func deviceCode(tenantID: UUID, userCode: String) async throws -> DeviceCode? {
        try await first(
            "SELECT * FROM device_codes WHERE tenant_id = $1 AND user_code = $2", [.uuid(tenantID), .text(userCode)]
        ).map(DeviceCode.init(row:))
    }

    public func decideDeviceCode(
        tenantID: UUID, userCode: String, status: DeviceCode.Status, userID: UUID?, authTime: Date?, at date: Date
    ) async throws -> Bool {
        !(try await execute(
            """
            UPDATE device_codes SET status = $3, user_id = $4, auth_time = $5
            WHERE tenant_id = $1 AND user_code = $2 AND status = 'pending' AND expires_at > $6
            RETURNING user_code
            """,
            [
                .uuid(tenantID), .text(userCode), .text(status.rawValue), userID.map(SQLValue.uuid) ?? .null,
                authTime.map(SQLValue.date) ?? .null, .date(date),
            ]
        ).isEmpty)
    }

    public func recordDevicePoll(
        tenantID: UUID, deviceCodeHash: SecretHash, at date: Date, intervalSeconds: Int
    ) async throws {
        try await execute(
            """
            UPDATE device_codes SET last_polled_at = $3, interval_seconds = $4
            WHERE tenant_id = $1 AND device_code_hash = $2
            """, [.uuid(tenantID), .bytes(deviceCodeHash.bytes), .date(date), .int(intervalSeconds)])
    }

    public func redeemDeviceCode(
        tenantID: UUID, deviceCodeHash: SecretHash, clientID: String, at date: Date
    ) async throws -> Bool {
        !(try await execute(
            """
            UPDATE device_codes SET status = 'redeemed', last_polled_at = $4
            WHERE tenant_id = $1 AND device_code_hash = $2 AND client_id = $3 AND status = 'approved'
                AND expires_at > $4
            RETURNING user_code
            """, [.uuid(tenantID), .bytes(deviceCodeHash.bytes), .text(clientID), .date(date)]
        ).isEmpty)
    }
}

extension DeviceCode {
    init(row: SQLRow) throws {
        let userCode = try row.string("user_code")
        guard let status = DeviceCode.Status(rawValue: try row.string("status")) else {
            throw StoreError.corrupt("device code \(userCode)")
        }
        self.init(
            tenantID: try row.uuid("tenant_id"), deviceCodeHash: SecretHash(bytes: try row.bytes("device_code_hash")),
            userCode: userCode, clientID: try row.string("client_id"), scopes: try row.scopeSet("scopes"),
            audience: try row.audienceList("audience"), status: status, userID: try row.optionalUUID("user_id"),
            authTime: try row.optionalDate("auth_time"), intervalSeconds: try row.int("interval_seconds"),
            lastPolledAt: try row.optionalDate("last_polled_at"), createdAt: try row.date("created_at"),
            expiresAt: try row.date("expires_at"))
    }
}
