import Foundation
import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraOAuth

/// Per tenant: the metadata document at both well-known locations, and the JWKS. Public,
/// cacheable and readable from any origin (INTERFACE.md), since browsers' apps fetch them too.
struct DiscoveryRoutes {
    let discovery: Discovery
    /// Past its limit without the change feed, keys and settings may be stale: 503 then.
    let freshness: CacheFreshness

    /// `{issuer}/.well-known/openid-configuration` (OIDC Discovery §4) and `{issuer}/jwks.json`.
    func register(on tenant: RouterGroup<TenantRequestContext>) {
        let openIDConfiguration: RouterPath = ".well-known/openid-configuration"
        tenant.get(openIDConfiguration) { _, context in try await metadata(context) }
        CORS.allowPreflight(openIDConfiguration, methods: "GET", on: tenant)
        let jwksPath = RouterPath(AuthorizationServerMetadata.Path.jwks)
        tenant.get(jwksPath) { request, context in
            if let refusal = freshness.refusal() { return OAuthErrorResponse(refusal).response }
            return jwks(request, context)
        }
        CORS.allowPreflight(jwksPath, methods: "GET", on: tenant)
    }

    /// RFC 8414 §3.1: `{public-url}/.well-known/oauth-authorization-server/t/{slug}`, the group
    /// of that prefix.
    func registerMetadata(on wellKnown: RouterGroup<TenantRequestContext>) {
        wellKnown.get { _, context in try await metadata(context) }
        CORS.allowPreflight("", methods: "GET", on: wellKnown)
    }

    private func metadata(_ context: TenantRequestContext) async throws -> Response {
        if let refusal = freshness.refusal() { return OAuthErrorResponse(refusal).response }
        return JSONResponse.make(
            try await discovery.metadata(for: context.tenant),
            headers: CORS.headers([.cacheControl: "public, max-age=300"]))
    }

    private func jwks(_ request: Request, _ context: TenantRequestContext) -> Response {
        let jwks = context.tenant.keys.jwks
        let headers = CORS.headers([
            .eTag: jwks.etag, .cacheControl: "public, max-age=\(context.tenant.settings.jwksMaxAge)",
        ])
        if let match = request.headers[.ifNoneMatch],
            match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == jwks.etag })
        {
            return Response(status: .notModified, headers: headers)
        }
        return JSONResponse.raw(Data(jwks.json.utf8), contentType: "application/jwk-set+json", headers: headers)
    }
}
