import Foundation
import TesseraCore

extension SQLExecutor {
    public func insertPushedRequest(_ request: PushedRequest) async throws {
        try await execute(
            """
            INSERT INTO pushed_requests (tenant_id, handle_hash, client_id, parameters, expires_at)
            VALUES ($1, $2, $3, $4, $5)
            """,
            [
                .uuid(request.tenantID), .bytes(request.handleHash.bytes), .text(request.clientID),
                .text(request.parameters), .date(request.expiresAt),
            ])
    }

    public func takePushedRequest(
        tenantID: UUID, handleHash: SecretHash, clientID: String, at date: Date
    ) async throws -> PushedRequest? {
        // The DELETE is the single use: of two concurrent callers one gets the row. A foreign
        // client's attempt deletes nothing, so it cannot spend the owner's request either.
        try await first(
            """
            DELETE FROM pushed_requests
            WHERE tenant_id = $1 AND handle_hash = $2 AND client_id = $3 AND expires_at > $4
            RETURNING *
            """, [.uuid(tenantID), .bytes(handleHash.bytes), .text(clientID), .date(date)]
        ).map { row in
            PushedRequest(
                tenantID: try row.uuid("tenant_id"), handleHash: SecretHash(bytes: try row.bytes("handle_hash")),
                clientID: try row.string("client_id"), parameters: try row.string("parameters"),
                expiresAt: try row.date("expires_at"))
        }
    }
}
