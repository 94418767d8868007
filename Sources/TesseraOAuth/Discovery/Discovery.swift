import TesseraCore
import TesseraStore

/// The metadata document of a tenant (RFC 8414 §2, OIDC Discovery §3): what the tenant offers,
/// read from its settings, its scopes and the grants this server implements.
public struct Discovery: Sendable {
    let store: any Store
    /// Grants whose token endpoint handlers exist; the metadata lists nothing more.
    let grants: [GrantType]
    /// Whether a TLS proxy is trusted to forward client certificates (`TESSERA_TRUSTED_PROXIES`):
    /// without one, RFC 8705 cannot work and is not offered.
    let mutualTLS: Bool
    let lastRead = LastReadScopes()

    public init(store: any Store, grants: [GrantType], mutualTLS: Bool = false) {
        self.store = store
        self.grants = grants
        self.mutualTLS = mutualTLS
    }

    public func metadata(for tenant: TenantContext) async throws -> AuthorizationServerMetadata {
        let scopes: [String]
        do {
            // Bounded: a pool waiting for a database that is down must not hold the answer.
            let store = self.store
            let tenantID = tenant.id
            scopes = try await withDeadline(.seconds(2)) { try await store.scopes(tenantID: tenantID).map(\.name) }
            await lastRead.remember(scopes, tenantID: tenant.id)
        } catch {
            // An outage: the list read last, if any; otherwise the outage's 503.
            guard case .unavailable? = StorageFailure(error), let known = await lastRead.names(tenantID: tenant.id)
            else { throw error }
            scopes = known
        }
        return AuthorizationServerMetadata(
            issuer: tenant.issuer, tenant: tenant.tenant, scopes: scopes, grants: grants, mutualTLS: mutualTLS)
    }
}
