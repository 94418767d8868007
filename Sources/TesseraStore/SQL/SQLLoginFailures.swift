import Foundation
import TesseraCore

// Sign-in failure counters shared by every instance (docs/cluster-limits.md). Each failure is one
// upsert that increments in the database, so failures made at the same moment at different
// instances all count; a sign-in costs a password hash anyway, so the round trip is cheap beside it.

extension SQLExecutor {
    public func loginBlockedUntil(tenantID: UUID, subjects: [String], after date: Date) async throws -> Date? {
        guard !subjects.isEmpty else { return nil }
        let placeholders = subjects.indices.map { "$\($0 + 3)" }.joined(separator: ", ")
        let row = try await first(
            """
            SELECT MAX(blocked_until) AS until FROM login_failures
            WHERE tenant_id = $1 AND blocked_until > $2 AND subject IN (\(placeholders))
            """, [.uuid(tenantID), .date(date)] + subjects.map { .text($0) })
        return try row?.optionalDate("until")
    }

    public func recordLoginFailure(
        tenantID: UUID, subject: String, at date: Date, forgiveBefore: Date, expiresAt: Date
    ) async throws -> Int {
        let row = try await first(
            """
            INSERT INTO login_failures (tenant_id, subject, failures, last_failure_at, blocked_until, expires_at)
            VALUES ($1, $2, 1, $3, NULL, $5)
            ON CONFLICT (tenant_id, subject) DO UPDATE SET
                failures = CASE WHEN login_failures.last_failure_at < $4 THEN 1 ELSE login_failures.failures + 1 END,
                last_failure_at = $3, expires_at = $5
            RETURNING failures
            """, [.uuid(tenantID), .text(subject), .date(date), .date(forgiveBefore), .date(expiresAt)])
        return try row?.int("failures") ?? 1
    }

    public func blockLogin(tenantID: UUID, subject: String, until date: Date) async throws {
        try await execute(
            """
            UPDATE login_failures SET blocked_until = $3
            WHERE tenant_id = $1 AND subject = $2 AND (blocked_until IS NULL OR blocked_until < $3)
            """, [.uuid(tenantID), .text(subject), .date(date)])
    }

    public func clearLoginFailures(tenantID: UUID, subject: String) async throws {
        try await execute(
            "DELETE FROM login_failures WHERE tenant_id = $1 AND subject = $2", [.uuid(tenantID), .text(subject)])
    }
}
