import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TesseraCore
import TesseraOAuth
import TesseraServer
import TesseraTestSupport
import Testing

/// The tenant wall, proven from the route table: every route of an issuer is answered by the
/// wall before its handler runs, and nothing one tenant owns opens anything at another.
@Suite("Tenant wall")
struct TenantWallTests {
    /// Routes outside any issuer; everything else must live under one of the wall's prefixes.
    static let routesOutsideTheWall: Set<String> = [
        "GET /healthz", "GET /readyz", "GET /metrics", "GET /openapi.json",
    ]
    static let wallPrefixes = ["/t/{tenant}", "/.well-known/oauth-authorization-server/t/{tenant}"]

    /// Every (method, path) of the router, as `GET /t/{tenant}/token`.
    static func routeTable(_ runtime: TesseraRuntime) -> [(method: HTTPRequest.Method, path: String)] {
        buildRouter(runtime: runtime).routes.map { ($0.method, $0.path.description) }
    }

    static func isBehindTheWall(_ path: String) -> Bool {
        wallPrefixes.contains { path == $0 || path.hasPrefix($0 + "/") }
    }

    /// The path with `{tenant}` set to `slug` and every other parameter to a placeholder.
    static func concrete(_ path: String, tenant slug: String) -> String {
        path.replacingOccurrences(of: "{tenant}", with: slug)
            .replacing(#/\{[a-z_]+\}/#, with: "placeholder")
    }

    @Test func everyRouteIsEitherAnOperationsRouteOrBehindTheWall() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let table = Self.routeTable(runtime)
            let outside = Set(table.filter { !Self.isBehindTheWall($0.path) }.map { "\($0.method) \($0.path)" })
            #expect(outside == Self.routesOutsideTheWall)
            // The table is the real one: the token endpoint, the pages and the admin API are in it.
            let inside = Set(table.filter { Self.isBehindTheWall($0.path) }.map { "\($0.method) \($0.path)" })
            for expected in [
                "POST /t/{tenant}/token", "GET /t/{tenant}/authorize", "POST /t/{tenant}/login",
                "GET /t/{tenant}/admin/v1/clients", "GET /.well-known/oauth-authorization-server/t/{tenant}",
            ] {
                #expect(inside.contains(expected), "\(expected) is not in the route table")
            }
        }
    }

    /// An unknown slug, a malformed one and a disabled tenant are refused by the wall on every
    /// route and method, with the wall's own answer: the handler never ran.
    @Test func everyRouteBehindTheWallRefusesTenantsThatAreNotServed() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            var disabled = try await runtime.administration.createTenant(slug: "gone", name: nil, actor: "test")
            disabled = try await runtime.administration.setStatus(
                of: disabled, .disabled, expectedVersion: nil, actor: "test")
            let table = Self.routeTable(runtime).filter { Self.isBehindTheWall($0.path) }
            try await ServerFixture.withClient(runtime) { client in
                for (method, path) in table {
                    for slug in ["nobody", "Not-A-Slug", "gone"] {
                        let uri = Self.concrete(path, tenant: slug)
                        let response = try await client.execute(
                            uri: uri, method: method,
                            headers: [.contentType: "application/x-www-form-urlencoded", .authorization: "Bearer x"],
                            body: ByteBuffer(string: "grant_type=client_credentials"))
                        #expect(response.status == .notFound, "\(method) \(uri)")
                        let isAdmin = path.contains("/admin/v1")
                        #expect(
                            response.headers[.contentType]
                                == (isAdmin ? "application/problem+json" : "application/json"), "\(method) \(uri)")
                        let body = try response.jsonObject()
                        let detail = (isAdmin ? body["detail"] : body["error_description"]) as? String
                        #expect(detail == "no tenant '\(slug)'", "\(method) \(uri): \(response.text)")
                    }
                }
            }
        }
    }
}
