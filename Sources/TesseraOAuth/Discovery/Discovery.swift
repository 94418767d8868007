import TesseraCore
import TesseraStore

/// The metadata document of a tenant (RFC 8414 §2, OIDC Discovery §3): what the tenant offers,
/// read from its settings, its scopes and the grants this server implements.
public struct Discovery: Sendable {
    let store: any Store
    /// Grants whose token endpoint handlers exist; the metadata lists nothing more.
    let grants: [GrantType]

    public init(store: any Store, grants: [GrantType]) {
        self.store = store
        self.grants = grants
    }

    public func metadata(for tenant: TenantContext) async throws -> AuthorizationServerMetadata {
        let scopes = try await store.scopes(tenantID: tenant.id).map(\.name)
        return AuthorizationServerMetadata(issuer: tenant.issuer, tenant: tenant.tenant, scopes: scopes, grants: grants)
    }
}
