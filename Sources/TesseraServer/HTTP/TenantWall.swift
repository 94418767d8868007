import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import TesseraCore
import TesseraOAuth

/// The tenant wall: every route of an issuer lives in a group `TenantWall.group` makes, whose
/// middleware resolves `:tenant` once (tenant, issuer, keys) and hands routes a
/// `TenantRequestContext`. A route cannot be written under `/t/` without passing here, and a
/// handler holds a `TenantContext`, never a slug, so it cannot reach another tenant's data.
struct TenantWall: RouterMiddleware {
    typealias Context = TesseraRequestContext

    /// The one place the issuer path of a tenant (`{public-url}/t/{slug}`, INTERFACE.md) is
    /// written for the router.
    static let issuerPath = "t/:tenant"
    /// RFC 8414 §3.1: the metadata of issuer `{public-url}/t/{slug}` is also served at
    /// `{public-url}/.well-known/oauth-authorization-server/t/{slug}`.
    static let metadataPath = ".well-known/oauth-authorization-server/" + issuerPath

    let tenants: TenantDirectory
    let publicURL: PublicURL

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let raw = context.parameters.get("tenant") ?? ""
        guard let tenant = try await tenants.context(slug: raw, publicURL: publicURL) else {
            return Self.unknownTenant(raw, request: request)
        }
        var context = context
        context.tenant = tenant
        return try await next(request, context)
    }

    /// Unknown, malformed and disabled tenants answer alike: 404, as a problem on the admin API
    /// (its document says so) and as an OAuth-style JSON error everywhere else.
    static func unknownTenant(_ raw: String, request: Request) -> Response {
        let detail = "no tenant '\(raw.prefix(63))'"
        if AdminRoute.isAdminPath(request.uri.path) {
            return ProblemResponse.notFound(detail).response
        }
        return OAuthErrorResponse(status: .notFound, error: "not_found", description: detail).response
    }

    /// The group every tenant route is added to, under `prefix` (the issuer path, or the RFC 8414
    /// metadata location).
    static func group(
        _ prefix: String, on router: Router<TesseraRequestContext>, wall: TenantWall
    ) -> RouterGroup<TenantRequestContext> {
        router.group(RouterPath(prefix)).add(middleware: wall).group(context: TenantRequestContext.self)
    }
}

/// What a handler behind the tenant wall sees: the parent context's request id, address and
/// logger, and the resolved tenant, never optional.
struct TenantRequestContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    let requestID: String
    let remoteAddress: String?
    let clientCertificate: ClientCertificate?
    let tenant: TenantContext

    init(context: TesseraRequestContext) throws {
        // Only the wall's group makes this context, and the wall has set the tenant; anything
        // else is a routing mistake, answered as an unknown tenant rather than trusted.
        guard let tenant = context.tenant else {
            throw OAuthErrorResponse(status: .notFound, error: "not_found", description: "no tenant")
        }
        self.coreContext = context.coreContext
        self.requestID = context.requestID
        self.remoteAddress = context.remoteAddress
        self.clientCertificate = context.clientCertificate
        self.tenant = tenant
    }

    var maxUploadSize: Int { TesseraRequestContext.maximumBodySize }

    /// The URL `request` addressed, as a client wrote it (RFC 9449 §4.2 `htu`): the issuer
    /// followed by the path after `/t/{slug}`, whatever path the public URL itself has.
    func addressedURL(of request: Request) -> String {
        let path = request.uri.path
        guard let range = path.range(of: "/t/\(tenant.slug.rawValue)") else { return tenant.issuer + path }
        return tenant.issuer + path[range.upperBound...]
    }
}
