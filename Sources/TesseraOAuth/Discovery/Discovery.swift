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

    public init(store: any Store, grants: [GrantType], mutualTLS: Bool = false) {
        self.store = store
        self.grants = grants
        self.mutualTLS = mutualTLS
    }

    public func metadata(for tenant: TenantContext) async throws -> AuthorizationServerMetadata {
        let scopes = try await store.scopes(tenantID: tenant.id).map(\.name)
        return AuthorizationServerMetadata(
            issuer: tenant.issuer, tenant: tenant.tenant, scopes: scopes, grants: grants, mutualTLS: mutualTLS)
    }
}
