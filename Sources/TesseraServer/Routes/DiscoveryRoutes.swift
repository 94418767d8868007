import Foundation
import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraKeys
import TesseraOAuth

/// Per tenant: the metadata document at both well-known locations, and the JWKS. Public,
/// cacheable and readable from any origin (INTERFACE.md), since browsers' apps fetch them too.
struct DiscoveryRoutes {
    let runtime: TesseraRuntime
    /// Grants whose token endpoint handlers exist; the metadata lists nothing more.
    let grants: [GrantType]

    func register(on router: Router<TesseraRequestContext>) {
        router.get("/t/:tenant/.well-known/openid-configuration") { _, context in
            try await metadata(context)
        }
        router.get("/.well-known/oauth-authorization-server/t/:tenant") { _, context in
            try await metadata(context)
        }
        router.get(RouterPath(Self.jwksPath)) { request, context in
            try await jwks(request, context)
        }
        for path in [
            "/t/:tenant/.well-known/openid-configuration", "/.well-known/oauth-authorization-server/t/:tenant",
            Self.jwksPath,
        ] {
            router.on(RouterPath(path), method: .options) { _, _ in CORS.preflight(methods: "GET") }
        }
    }

    static let jwksPath = "/t/:tenant" + AuthorizationServerMetadata.Path.jwks

    private func metadata(_ context: TesseraRequestContext) async throws -> Response {
        let tenant = try await TenantLookup.require(context, in: runtime.tenants)
        let scopes = try await runtime.store.scopes(tenantID: tenant.id).map(\.name)
        let document = AuthorizationServerMetadata(
            issuer: runtime.configuration.publicURL.issuer(for: tenant.slug), tenant: tenant, scopes: scopes,
            grants: grants)
        return JSONResponse.make(document, headers: CORS.headers([.cacheControl: "public, max-age=300"]))
    }

    private func jwks(_ request: Request, _ context: TesseraRequestContext) async throws -> Response {
        let tenant = try await TenantLookup.require(context, in: runtime.tenants)
        let keys = try await runtime.tenants.keys(for: tenant)
        let cache = "public, max-age=\(tenant.settings.jwksMaxAge)"
        if let match = request.headers[.ifNoneMatch],
            match.split(separator: ",").contains(where: {
                $0.trimmingCharacters(in: .whitespaces) == keys.jwks.etag
            })
        {
            return Response(
                status: .notModified, headers: CORS.headers([.eTag: keys.jwks.etag, .cacheControl: cache]))
        }
        return JSONResponse.raw(
            Data(keys.jwks.json.utf8), contentType: "application/jwk-set+json",
            headers: CORS.headers([.eTag: keys.jwks.etag, .cacheControl: cache]))
    }
}

/// Resolves `:tenant` or answers 404 with a JSON error.
enum TenantLookup {
    static func require(_ context: TesseraRequestContext, in directory: TenantDirectory) async throws -> Tenant {
        let raw = context.parameters.get("tenant") ?? ""
        guard let slug = try? TenantSlug(raw), let tenant = try await directory.tenant(slug: slug),
            tenant.status == .active
        else {
            throw JSONError(status: .notFound, error: "not_found", description: "no tenant '\(raw.prefix(63))'")
        }
        return tenant
    }
}

/// An error answered as `{"error", "error_description"}` with its status.
struct JSONError: HTTPResponseError {
    let status: HTTPResponse.Status
    let error: String
    let description: String
    var headers: HTTPFields = [:]

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONResponse.make(
            ["error": error, "error_description": description], status: status, headers: headers)
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

/// Cross-origin access for the public endpoints (INTERFACE.md: discovery, JWKS, token).
enum CORS {
    static func headers(_ extra: HTTPFields = [:]) -> HTTPFields {
        var fields = extra
        fields[.accessControlAllowOrigin] = "*"
        return fields
    }

    static func preflight(methods: String) -> Response {
        Response(
            status: .noContent,
            headers: headers([
                .accessControlAllowMethods: methods + ", OPTIONS",
                .accessControlAllowHeaders: "Authorization, Content-Type, DPoP",
                .accessControlMaxAge: "86400",
            ]))
    }
}
