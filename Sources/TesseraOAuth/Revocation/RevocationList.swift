import Foundation
import TesseraCore
import TesseraStore

/// The access tokens revoked on any instance, in memory, so introspection of a valid JWT reads
/// no row. Loaded once at start, kept current by the change feed, pruned as tokens expire
/// (after which their signature check rejects them anyway).
public actor RevocationList {
    private var revoked: [UUID: [String: Date]] = [:]
    private var count = 0

    public init() {}

    public func load(from store: any RevokedTokenStore, now: Date = Date()) async throws {
        var fresh: [UUID: [String: Date]] = [:]
        for token in try await store.revokedTokens(expiringAfter: now) {
            fresh[token.tenantID, default: [:]][token.jti] = token.expiresAt
        }
        revoked = fresh
        count = fresh.values.reduce(0) { $0 + $1.count }
    }

    public func add(_ token: RevokedToken) {
        if revoked[token.tenantID]?[token.jti] == nil { count += 1 }
        revoked[token.tenantID, default: [:]][token.jti] = token.expiresAt
    }

    public func contains(tenantID: UUID, jti: String) -> Bool {
        revoked[tenantID]?[jti] != nil
    }

    /// Drops entries whose tokens have expired anyway.
    public func prune(now: Date = Date()) {
        for (tenant, tokens) in revoked {
            let live = tokens.filter { $0.value > now }
            revoked[tenant] = live.isEmpty ? nil : live
        }
        count = revoked.values.reduce(0) { $0 + $1.count }
    }

    public var size: Int { count }
}
