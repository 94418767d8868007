import Foundation
import HTTPTypes
import Hummingbird
import TesseraOAuth

/// One operation of the admin API. The table of them is the single source of both the router
/// and the OpenAPI document, so the document cannot list a route that does not exist.
struct AdminRoute: Sendable {
    let method: HTTPRequest.Method
    /// Relative to `{issuer}/admin/v1`, with `{name}` parameters.
    let path: String
    let area: AdminArea
    let operationID: String
    let summary: String
    /// The request body's schema in `components.schemas`, when there is a body.
    var requestSchema: String? = nil
    let successStatus: Int
    /// The success body's schema, nil for 204.
    let responseSchema: String?
    /// Whether the answer carries an `ETag` and the request needs `If-Match`.
    var returnsETag = false
    var requiresIfMatch = false
    var query: [String] = []
    let handle: @Sendable (AdminCall) async throws -> Response

    /// Relative to the issuer: the admin API of tenant T is `{issuer}/admin/v1` (INTERFACE.md).
    static let prefix = "admin/v1"

    /// The path inside the tenant group, `{name}` written as Hummingbird's `:name`.
    static func routerPath(_ path: String) -> RouterPath {
        RouterPath(prefix + path.replacingOccurrences(of: "{", with: ":").replacingOccurrences(of: "}", with: ""))
    }

    var routerPath: RouterPath { Self.routerPath(path) }

    /// Whether a request path (`/t/{slug}/admin/v1/...`) is one of the admin API's, whose
    /// errors are problems (RFC 9457) even before a route is matched.
    static func isAdminPath(_ path: String) -> Bool {
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        return components.count >= 4 && components[0] == "t" && components[2] == "admin" && components[3] == "v1"
    }

    var parameters: [String] {
        path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
    }
}

struct AdminRoutes {
    let services: AdminServices

    static var all: [AdminRoute] {
        clientRoutes + userRoutes + scopeRoutes + keyRoutes + auditRoutes + tenantRoutes + identityProviderRoutes
            + registrationRoutes
    }

    func register(on tenant: RouterGroup<TenantRequestContext>) {
        for route in Self.all {
            tenant.on(route.routerPath, method: route.method) { request, context in
                do {
                    let call = try await AdminCall.authorize(request, context, services: services, area: route.area)
                    return try await route.handle(call)
                } catch {
                    let problem = ProblemResponse.from(error)
                    if problem.status == .internalServerError {
                        context.logger.error("Admin API failure", metadata: ["error": "\(error)"])
                    }
                    return problem.response
                }
            }
        }
        // RFC 9110 §15.5.6: a method the resource does not support is 405 with `Allow`, not 404.
        let methodsByPath = Dictionary(grouping: Self.all, by: \.path).mapValues { Set($0.map(\.method)) }
        for (path, methods) in methodsByPath {
            let allow = methods.map(\.rawValue).sorted().joined(separator: ", ")
            let routerPath = AdminRoute.routerPath(path)
            let others: [HTTPRequest.Method] = [
                .get, .head, .post, .put, .patch, .delete, .options, .trace, .connect,
                HTTPRequest.Method("QUERY") ?? .trace,
            ]
            for method in others where !methods.contains(method) && !(method == .head && methods.contains(.get)) {
                tenant.on(routerPath, method: method) { _, _ in
                    ProblemResponse(
                        status: .methodNotAllowed, title: "Method Not Allowed",
                        detail: "this resource answers \(allow)", headers: [.allow: allow]
                    ).response
                }
            }
        }
    }

    /// `{public-url}/openapi.json`: the document of every tenant's admin API.
    static func registerDocument(on router: Router<TesseraRequestContext>) {
        router.get("/openapi.json") { _, _ in
            JSONResponse.raw(OpenAPIDocument.json, headers: CORS.headers([.cacheControl: "public, max-age=300"]))
        }
    }
}
