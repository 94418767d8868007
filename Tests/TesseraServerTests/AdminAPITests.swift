import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TesseraCore
import TesseraOAuth
import TesseraTestSupport
import Testing

@testable import TesseraServer

/// The admin API walked through as operators use it: only HTTP, only tokens.
@Suite("Admin API")
struct AdminAPITests {
    struct Credentials: Sendable {
        let id: String
        let secret: String
    }

    /// A client-credentials token of `tenant`.
    static func token(
        _ client: any TestClientProtocol, _ tenant: String, _ credentials: Credentials, scope: String? = nil
    )
        async throws -> String
    {
        var form = ["grant_type": "client_credentials"]
        form["scope"] = scope
        let response = try await client.execute(
            uri: "/t/\(tenant)/token", method: .post,
            headers: [
                .authorization: "Basic " + Data("\(credentials.id):\(credentials.secret)".utf8).base64EncodedString(),
                .contentType: "application/x-www-form-urlencoded",
            ],
            body: ByteBuffer(string: FormBody.encode(form)))
        return try #require(try response.jsonObject()["access_token"] as? String, "\(response.text)")
    }

    static func call(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ path: String, token: String?,
        json: String? = nil, ifMatch: String? = nil
    ) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        if let ifMatch { headers[HTTPField.Name("If-Match")!] = ifMatch }
        return try await client.execute(
            uri: path, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    /// The system admin's credentials, from the file the first start wrote.
    static func systemAdmin(_ runtime: TesseraRuntime) throws -> Credentials {
        let path = runtime.configuration.systemAdminFile
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: String])
        return Credentials(id: try #require(object["client_id"]), secret: try #require(object["client_secret"]))
    }

    /// system creates `slug` through the API; its first admin's credentials.
    static func createTenant(
        _ client: any TestClientProtocol, _ slug: String, systemToken: String
    ) async throws
        -> Credentials
    {
        let created = try await call(
            client, .post, "/t/system/admin/v1/tenants", token: systemToken, json: #"{"slug":"\#(slug)"}"#)
        #expect(created.status == .created, "\(created.text)")
        let body = try created.jsonObject()
        #expect((body["tenant"] as? [String: Any])?["issuer"] as? String == "http://127.0.0.1:8080/t/\(slug)")
        let admin = try #require(body["admin_client"] as? [String: Any])
        return Credentials(
            id: try #require(admin["client_id"] as? String), secret: try #require(admin["client_secret"] as? String))
    }

    /// The system admin (from the first start's file) creates `acme`; its admin's token.
    static func acmeThroughTheAPI(
        _ runtime: TesseraRuntime, _ client: any TestClientProtocol
    ) async throws
        -> (systemToken: String, acme: Credentials, acmeToken: String)
    {
        let systemToken = try await token(client, "system", try systemAdmin(runtime))
        let acme = try await createTenant(client, "acme", systemToken: systemToken)
        return (systemToken, acme, try await token(client, "acme", acme))
    }

    @Test func aTenantsLifeThroughTheAPIAlone() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            try await ServerFixture.withClient(runtime) { client in
                let (_, acme, token) = try await Self.acmeThroughTheAPI(runtime, client)
                let base = "/t/acme/admin/v1"

                let scope = try await Self.call(
                    client, .post, base + "/scopes", token: token,
                    json: #"{"name":"orders:read","description":"Read orders"}"#)
                #expect(scope.status == .created, "\(scope.text)")
                let created = try await Self.call(
                    client, .post, base + "/clients", token: token,
                    json:
                        #"{"name":"Orders service","grant_types":["client_credentials"],"scope":"orders:read","audiences":["https://api.example.com"]}"#
                )
                #expect(created.status == .created, "\(created.text)")
                let clientBody = try created.jsonObject()
                let clientID = try #require(clientBody["client_id"] as? String)
                let firstSecret = try #require(clientBody["client_secret"] as? String)
                #expect(created.headers[HTTPField.Name("ETag")!] == "\"1\"")
                let user = try await Self.call(
                    client, .post, base + "/users", token: token,
                    json: #"{"username":"alice","password":"correct horse battery"}"#)
                #expect(user.status == .created)
                let userID = try #require(try user.jsonObject()["id"] as? String)

                // The new client works, then its secret is rotated: old one dead, new one shown once.
                _ = try await Self.token(client, "acme", Credentials(id: clientID, secret: firstSecret))
                let rotated = try await Self.call(client, .post, base + "/clients/\(clientID)/secret", token: token)
                #expect(rotated.status == .ok)
                let newSecret = try #require(try rotated.jsonObject()["client_secret"] as? String)
                let read = try await Self.call(client, .get, base + "/clients/\(clientID)", token: token)
                #expect(try read.jsonObject()["client_secret"] == nil)
                await runtime.clients.removeAll()  // no change follower in-process
                _ = try await Self.token(client, "acme", Credentials(id: clientID, secret: newSecret))

                let keysBefore = try await Self.call(client, .get, base + "/keys", token: token).jsonObject()
                let rotatedKeys = try await Self.call(client, .post, base + "/keys/rotate", token: token)
                #expect(rotatedKeys.status == .ok, "\(rotatedKeys.text)")
                #expect(
                    (try rotatedKeys.jsonObject()["items"] as? [[String: Any]])?.count ?? 0
                        > (keysBefore["items"] as? [[String: Any]])?.count ?? 0)

                // If-Match: required, checked, and the answer carries the new version.
                let unconditional = try await Self.call(
                    client, .patch, base + "/users/\(userID)", token: token, json: #"{"status":"disabled"}"#)
                #expect(unconditional.status == HTTPResponse.Status(code: 428))
                let stale = try await Self.call(
                    client, .patch, base + "/users/\(userID)", token: token, json: #"{"status":"disabled"}"#,
                    ifMatch: "\"7\"")
                #expect(stale.status == .preconditionFailed)
                #expect(stale.headers[.contentType] == "application/problem+json")
                let disabled = try await Self.call(
                    client, .patch, base + "/users/\(userID)", token: token, json: #"{"status":"disabled"}"#,
                    ifMatch: "\"1\"")
                #expect(disabled.status == .ok && disabled.headers[HTTPField.Name("ETag")!] == "\"2\"")
                #expect(try disabled.jsonObject()["status"] as? String == "disabled")

                let audit = try await Self.call(client, .get, base + "/audit?limit=200", token: token).jsonObject()
                let events = try #require(audit["items"] as? [[String: Any]])
                let actions = events.map { $0["action"] as? String ?? "" }
                for action in [
                    "tenant.create", "scope.create", "client.create", "user.create", "client.secret.rotate",
                    "key.rotate", "user.disable",
                ] {
                    #expect(actions.contains(action), "audit lacks \(action): \(actions)")
                }
                let rotation = try #require(events.first { $0["action"] as? String == "client.secret.rotate" })
                #expect(rotation["actor"] as? String == "client:\(acme.id)")
                #expect(rotation["target"] as? String == clientID)
                #expect(rotation["request_id"] is String)
            }
        }
    }

    @Test func anAdminOfOneTenantIsNobodyAtAnotherAndScopesAreEnforced() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            try await ServerFixture.withClient(runtime) { client in
                let (systemToken, _, acmeToken) = try await Self.acmeThroughTheAPI(runtime, client)
                _ = try await Self.createTenant(client, "beta", systemToken: systemToken)
                // A token of acme without any admin scope.
                let plain = try await Self.call(
                    client, .post, "/t/acme/admin/v1/clients", token: acmeToken,
                    json: #"{"name":"Reporter","grant_types":["client_credentials"],"scope":"openid"}"#)
                let plainBody = try plain.jsonObject()
                let plainToken = try await Self.token(
                    client, "acme",
                    Credentials(
                        id: try #require(plainBody["client_id"] as? String),
                        secret: try #require(plainBody["client_secret"] as? String)))
                // A narrow admin token: users only.
                let narrow = try await Self.call(
                    client, .post, "/t/acme/admin/v1/clients", token: acmeToken,
                    json: #"{"name":"Helpdesk","grant_types":["client_credentials"],"scope":"tessera:admin:users"}"#
                ).jsonObject()
                let usersOnly = try await Self.token(
                    client, "acme",
                    Credentials(
                        id: try #require(narrow["client_id"] as? String),
                        secret: try #require(narrow["client_secret"] as? String)))
                #expect(try await Self.call(client, .get, "/t/acme/admin/v1/users", token: usersOnly).status == .ok)
                #expect(
                    try await Self.call(client, .get, "/t/acme/admin/v1/clients", token: usersOnly).status == .forbidden
                )
                #expect(
                    try await Self.call(client, .get, "/t/acme/admin/v1/audit", token: usersOnly).status == .forbidden)

                for route in AdminRoutes.testPaths {
                    for tenant in ["beta", "system"] {
                        let foreign = try await Self.call(
                            client, route.method, route.path(tenant), token: acmeToken, json: route.body)
                        #expect(
                            foreign.status == .unauthorized || foreign.status == .notFound,
                            "\(route.method) \(route.path(tenant)) answered \(foreign.status)")
                        #expect(foreign.headers[.contentType] == "application/problem+json")
                    }
                    let unscoped = try await Self.call(
                        client, route.method, route.path("acme"), token: plainToken, json: route.body)
                    #expect(
                        unscoped.status == .forbidden
                            || (route.path("acme").contains("/tenants") && unscoped.status == .notFound),
                        "\(route.method) \(route.path("acme")) answered \(unscoped.status)")
                    let anonymous = try await Self.call(
                        client, route.method, route.path("acme"), token: nil, json: route.body)
                    #expect(anonymous.status == .unauthorized)
                    #expect(anonymous.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                }
            }
        }
    }

    @Test func clientRequirementsAndCertificateSubjectsGoThroughTheAPI() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            try await ServerFixture.withClient(runtime) { client in
                let (_, _, acmeToken) = try await Self.acmeThroughTheAPI(runtime, client)
                let created = try await Self.call(
                    client, .post, "/t/acme/admin/v1/clients", token: acmeToken,
                    json: #"""
                        {"name":"Sensor","token_endpoint_auth_method":"tls_client_auth",
                         "tls_client_auth_subject_dn":"CN=device-1,O=Acme","grant_types":["client_credentials"],
                         "tls_client_certificate_bound_access_tokens":true,"dpop_bound_access_tokens":false}
                        """#)
                #expect(created.status == .created, "\(created.text)")
                let body = try created.jsonObject()
                #expect(body["client_secret"] == nil)
                #expect(
                    body["tls_client_auth"] as? [String: String] == ["tls_client_auth_subject_dn": "CN=device-1,O=Acme"]
                )
                #expect(body["tls_client_certificate_bound_access_tokens"] as? Bool == true)
                let id = try #require(body["client_id"] as? String)

                let changed = try await Self.call(
                    client, .patch, "/t/acme/admin/v1/clients/\(id)", token: acmeToken,
                    json: #"{"dpop_bound_access_tokens":true,"refresh_token_rotation":"reuse"}"#, ifMatch: "*")
                #expect(changed.status == .ok, "\(changed.text)")
                #expect(try changed.jsonObject()["dpop_bound_access_tokens"] as? Bool == true)
                #expect(try changed.jsonObject()["refresh_token_rotation"] as? String == "reuse")

                // Refused: no subject, two subjects, a subject for another method, a DN that does
                // not parse, a signed-request requirement without keys, an unknown rotation.
                let refused = [
                    #"{"name":"A","token_endpoint_auth_method":"tls_client_auth","grant_types":["client_credentials"]}"#,
                    #"{"name":"B","token_endpoint_auth_method":"tls_client_auth","tls_client_auth_subject_dn":"CN=a","tls_client_auth_san_dns":"a.example","grant_types":["client_credentials"]}"#,
                    #"{"name":"C","tls_client_auth_san_dns":"a.example","grant_types":["client_credentials"]}"#,
                    #"{"name":"D","token_endpoint_auth_method":"tls_client_auth","tls_client_auth_subject_dn":"not a dn","grant_types":["client_credentials"]}"#,
                    #"{"name":"E","redirect_uris":["https://app.example.com/cb"],"require_signed_request_object":true}"#,
                    #"{"name":"F","grant_types":["client_credentials"],"refresh_token_rotation":"sometimes"}"#,
                    #"{"name":"G","grant_types":["client_credentials"],"require_pushed_authorization_requests":true}"#,
                ]
                for json in refused {
                    let answer = try await Self.call(
                        client, .post, "/t/acme/admin/v1/clients", token: acmeToken, json: json)
                    #expect(
                        answer.status.code == 422 || answer.status.code == 400,
                        "\(json): \(answer.status) \(answer.text)")
                }
            }
        }
    }

    @Test func problemsNameTheFieldAndListsArePaginated() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            try await ServerFixture.withClient(runtime) { client in
                let (systemToken, _, token) = try await Self.acmeThroughTheAPI(runtime, client)
                let base = "/t/acme/admin/v1"
                let short = try await Self.call(
                    client, .post, base + "/users", token: token, json: #"{"username":"bob","password":"short"}"#)
                #expect(short.status == .unprocessableContent)
                let problem = try short.jsonObject()
                #expect(((problem["errors"] as? [[String: Any]])?.first?["field"] as? String) == "password")
                #expect(problem["status"] as? Int == 422 && problem["title"] is String)
                let missing = try await Self.call(
                    client, .post, base + "/users", token: token, json: #"{"username":"bob"}"#)
                #expect(missing.status == .badRequest)
                #expect(
                    ((try missing.jsonObject()["errors"] as? [[String: Any]])?.first?["field"] as? String) == "password"
                )
                let garbage = try await Self.call(client, .post, base + "/users", token: token, json: "{not json")
                #expect(garbage.status == .badRequest)
                let duplicate = try await Self.call(
                    client, .post, "/t/system/admin/v1/tenants", token: systemToken, json: #"{"slug":"acme"}"#)
                #expect(duplicate.status == .conflict)

                for name in ["carol", "dave", "erin"] {
                    _ = try await Self.call(
                        client, .post, base + "/users", token: token,
                        json: #"{"username":"\#(name)","password":"long enough pw"}"#)
                }
                let first = try await Self.call(client, .get, base + "/users?limit=2", token: token).jsonObject()
                #expect(
                    (first["items"] as? [[String: Any]])?.compactMap { $0["username"] as? String } == ["carol", "dave"])
                let cursor = try #require(first["next_cursor"] as? String)
                let second = try await Self.call(client, .get, base + "/users?limit=2&cursor=\(cursor)", token: token)
                    .jsonObject()
                #expect((second["items"] as? [[String: Any]])?.compactMap { $0["username"] as? String } == ["erin"])
                #expect(second["next_cursor"] is NSNull || second["next_cursor"] == nil)
                let badLimit = try await Self.call(client, .get, base + "/users?limit=0", token: token)
                #expect(badLimit.status == .badRequest)
            }
        }
    }

    @Test func theServedOpenAPIDocumentIsTheRepositorysAndListsRoutesThatExist() async throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let checkedIn = try Data(contentsOf: repository.appendingPathComponent("docs/openapi.json"))
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            try await ServerFixture.withClient(runtime) { client in
                let served = try await client.execute(uri: "/openapi.json", method: .get)
                #expect(served.status == .ok)
                #expect(
                    Data(served.body.readableBytesView) == checkedIn,
                    "docs/openapi.json is stale: regenerate it with `swift run tessera openapi > docs/openapi.json`")
                let document = try served.jsonObject()
                let paths = try #require(document["paths"] as? [String: [String: Any]])
                var operations = 0
                for (path, item) in paths {
                    for method in item.keys where method != "parameters" {
                        operations += 1
                        let concrete = path.replacingOccurrences(of: "{tenant}", with: "system")
                            .replacing(try Regex(#"\{[a-z_]+\}"#), with: "x")
                        let response = try await Self.call(
                            client, HTTPRequest.Method(method.uppercased()) ?? .get, concrete, token: nil)
                        // Exists: it asks for a token rather than answering 404 or 405.
                        #expect(response.status == .unauthorized, "\(method) \(path): \(response.status)")
                    }
                }
                #expect(operations == AdminRoutes.all.count)
            }
        }
    }
}

extension AdminRoutes {
    /// Every route with its parameters filled in and a plausible body, for authorization tests.
    static var testPaths: [(method: HTTPRequest.Method, path: (String) -> String, body: String?)] {
        all.map { route in
            let relative = route.path.replacing(try! Regex(#"\{[a-z_]+\}"#), with: "x")
            return (
                route.method, { tenant in "/t/\(tenant)/admin/v1" + relative },
                route.requestSchema == nil ? nil : #"{"name":"n","slug":"s","username":"u","password":"p4ssw0rd!"}"#
            )
        }
    }
}
