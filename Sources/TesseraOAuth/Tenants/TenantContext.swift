import Foundation
import TesseraCore
import TesseraJOSE

/// One tenant as a request to its issuer works with it: the tenant, its issuer URL and its
/// loaded keys, resolved once per request by the server's tenant wall. Protocol code takes this,
/// never a slug, so nothing below the wall can name another tenant.
public struct TenantContext: Sendable {
    public let tenant: Tenant
    /// `{public-url}/t/{slug}` (RFC 8414 §2).
    public let issuer: String
    public let keys: TenantKeys

    public init(tenant: Tenant, issuer: String, keys: TenantKeys) {
        self.tenant = tenant
        self.issuer = issuer
        self.keys = keys
    }

    public var id: UUID { tenant.id }
    public var slug: TenantSlug { tenant.slug }
    public var settings: TenantSettings { tenant.settings }
}

extension TenantDirectory {
    /// The active tenant named by `slug` with its keys, or nil when the slug is malformed, names
    /// no tenant or a disabled one: all three look alike from outside, so probing learns nothing.
    public func context(slug raw: String, publicURL: PublicURL) async throws -> TenantContext? {
        guard let slug = try? TenantSlug(raw), let tenant = try await tenant(slug: slug), tenant.status == .active
        else { return nil }
        return TenantContext(tenant: tenant, issuer: publicURL.issuer(for: slug), keys: try await keys(for: tenant))
    }
}
