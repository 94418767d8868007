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

    static let prefix = "/t/:tenant/admin/v1"

    var routerPath: RouterPath {
        RouterPath(Self.prefix + path.replacingOccurrences(of: "{", with: ":").replacingOccurrences(of: "}", with: ""))
    }

    var parameters: [String] {
        path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
    }
}

struct AdminRoutes {
    let runtime: TesseraRuntime

    static var all: [AdminRoute] { clientRoutes + userRoutes + scopeRoutes + keyRoutes + auditRoutes + tenantRoutes }

    func register(on router: Router<TesseraRequestContext>) {
        for route in Self.all {
            router.on(route.routerPath, method: route.method) { request, context in
                do {
                    let call = try await AdminCall.authorize(request, context, runtime: runtime, area: route.area)
                    return try await route.handle(call)
                } catch {
                    let problem = Problem.from(error)
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
            let routerPath = RouterPath(
                AdminRoute.prefix
                    + path.replacingOccurrences(of: "{", with: ":").replacingOccurrences(of: "}", with: ""))
            let others: [HTTPRequest.Method] = [
                .get, .head, .post, .put, .patch, .delete, .options, .trace, .connect,
                HTTPRequest.Method("QUERY") ?? .trace,
            ]
            for method in others where !methods.contains(method) && !(method == .head && methods.contains(.get)) {
                router.on(routerPath, method: method) { _, _ in
                    Problem(
                        status: .methodNotAllowed, title: "Method Not Allowed",
                        detail: "this resource answers \(allow)", headers: [.allow: allow]
                    ).response
                }
            }
        }
        router.get("/openapi.json") { _, _ in
            JSONResponse.raw(OpenAPIDocument.json, headers: CORS.headers([.cacheControl: "public, max-age=300"]))
        }
    }
}
