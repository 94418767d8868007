import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TesseraCore
import TesseraOAuth
import TesseraServer
import TesseraTestSupport
import Testing

/// The cross-tenant matrix: every route of acme, presented with what globex owns (a client, a
/// token, a code, a refresh token, a session cookie, a user, a device code, an admin token),
/// refuses it. The list of routes covered is checked against the route table, so a new route
/// without a row here fails the suite.
@Suite("Cross-tenant matrix")
struct CrossTenantTests {
    /// What globex gives away in the matrix.
    struct Foreign: Sendable {
        let fixture: DelegationFixture
        let accessToken: String
        let refreshToken: String
        let idToken: String
        let unusedCode: String
        let sessionCookies: String
        let csrfToken: String
        let pending: String
        let userCode: String
        let adminToken: String
        let userID: String
    }

    static func form(_ fields: [String: String], authorization: String? = nil) -> (HTTPFields, ByteBuffer) {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        headers[.authorization] = authorization
        return (headers, ByteBuffer(string: FormBody.encode(fields)))
    }

    static func post(
        _ client: any TestClientProtocol, _ uri: String, _ fields: [String: String], authorization: String? = nil,
        cookies: String? = nil
    ) async throws -> TestResponse {
        var (headers, body) = form(fields, authorization: authorization)
        headers[.cookie] = cookies
        return try await client.execute(uri: uri, method: .post, headers: headers, body: body)
    }

    /// globex with a signed-in browser, tokens from the code flow, a second code left unused, a
    /// pending consent page, a device code and an admin token.
    static func foreign(_ runtime: TesseraRuntime, _ client: any TestClientProtocol) async throws -> Foreign {
        let fixture = try await DelegationFixture.make(runtime, slug: "globex")
        let browser = TestBrowser(client)
        let code = try await fixture.code(browser)
        let tokens = try await fixture.redeem(client, code: code).jsonObject()
        let unusedCode = try await fixture.code(browser)
        // A consent page drawn for alice of globex: its CSRF token and sealed pending state.
        let consent = try await browser.get(fixture.authorizeURL(["prompt": "consent"]))
        #expect(consent.text.contains("name=\"decision\""))
        let cookies = browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")

        let (device, _) = try await runtime.administration.createClient(
            in: fixture.tenant,
            .init(name: "TV", isPublic: true, grants: ["urn:ietf:params:oauth:grant-type:device_code"]),
            actor: "test")
        let deviceAnswer = try await post(client, fixture.path + "/device_authorization", ["client_id": device.id])
        let (admin, adminSecret) = try await runtime.administration.createClient(
            in: fixture.tenant,
            .init(name: "Admin", grants: ["client_credentials"], scopes: ["tessera:admin"]), actor: "test")
        let adminToken = try await AdminAPITests.token(
            client, "globex", .init(id: admin.id, secret: try #require(adminSecret)))
        let user = try #require(try await runtime.store.user(tenantID: fixture.tenant.id, username: "alice"))
        return Foreign(
            fixture: fixture, accessToken: try #require(tokens["access_token"] as? String),
            refreshToken: try #require(tokens["refresh_token"] as? String),
            idToken: try #require(tokens["id_token"] as? String), unusedCode: unusedCode,
            sessionCookies: cookies, csrfToken: try consent.input("csrf_token"), pending: try consent.input("pending"),
            userCode: try #require(try deviceAnswer.jsonObject()["user_code"] as? String), adminToken: adminToken,
            userID: user.id.uuidString.lowercased())
    }

    @Test func nothingOfGlobexOpensAnythingAtAcme() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let acme = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { client in
                let globex = try await Self.foreign(runtime, client)
                var covered: Set<String> = []

                // Discovery and keys: acme's own issuer, and none of globex's keys.
                covered.insert("GET /t/{tenant}/.well-known/openid-configuration")
                covered.insert("GET /.well-known/oauth-authorization-server/t/{tenant}")
                for uri in [
                    "/t/acme/.well-known/openid-configuration", "/.well-known/oauth-authorization-server/t/acme",
                ] {
                    let metadata = try await client.execute(uri: uri, method: .get).jsonObject()
                    #expect(metadata["issuer"] as? String == ServerFixture.issuer)
                }
                covered.insert("GET /t/{tenant}/jwks.json")
                let jwks = try await client.execute(uri: "/t/acme/jwks.json", method: .get).text
                #expect(!jwks.contains(try Inspect.kid(of: globex.accessToken)))

                // The token endpoint: globex's client, code and refresh token.
                covered.insert("POST /t/{tenant}/token")
                let foreignClient = try await Self.post(
                    client, "/t/acme/token", ["grant_type": "client_credentials"],
                    authorization: globex.fixture.basic)
                #expect(foreignClient.status == .unauthorized)
                #expect(try foreignClient.jsonObject()["error"] as? String == "invalid_client")
                let foreignCode = try await acme.redeem(
                    client, code: globex.unusedCode, verifier: globex.fixture.verifier)
                #expect(try foreignCode.jsonObject()["error"] as? String == "invalid_grant")
                let foreignRefresh = try await acme.refresh(client, globex.refreshToken)
                #expect(try foreignRefresh.jsonObject()["error"] as? String == "invalid_grant")

                // PAR: globex's client cannot push here, and what it pushed at globex is nothing here.
                covered.insert("POST /t/{tenant}/par")
                let push = [
                    "response_type": "code", "redirect_uri": DelegationFixture.redirectURI, "scope": "openid",
                    "code_challenge": PKCE.challenge(for: globex.fixture.verifier), "code_challenge_method": "S256",
                ]
                let foreignPush = try await Self.post(client, "/t/acme/par", push, authorization: globex.fixture.basic)
                #expect(foreignPush.status == .unauthorized)
                let pushedAtGlobex = try await Self.post(
                    client, "/t/globex/par", push, authorization: globex.fixture.basic)
                #expect(pushedAtGlobex.status == .created)
                let requestURI = try #require(try pushedAtGlobex.jsonObject()["request_uri"] as? String)
                let usedHere = try await client.execute(
                    uri: "/t/acme/authorize?"
                        + FormBody.encode(["client_id": acme.clientID, "request_uri": requestURI]),
                    method: .get)
                #expect(usedHere.status == .badRequest)
                #expect(usedHere.text.contains("invalid_request_uri"))

                // Introspection and revocation: globex's tokens are nothing here, and stay alive there.
                covered.insert("POST /t/{tenant}/introspect")
                #expect(try await acme.introspect(client, globex.accessToken)["active"] as? Bool == false)
                #expect(try await acme.introspect(client, globex.refreshToken)["active"] as? Bool == false)
                covered.insert("POST /t/{tenant}/revoke")
                for token in [globex.accessToken, globex.refreshToken] {
                    let revoked = try await Self.post(
                        client, "/t/acme/revoke", ["token": token], authorization: acme.basic)
                    #expect(revoked.status == .ok)  // RFC 7009 §2.2: an unknown token is not an error
                }
                #expect(try await globex.fixture.introspect(client, globex.accessToken)["active"] as? Bool == true)
                #expect(try await globex.fixture.introspect(client, globex.refreshToken)["active"] as? Bool == true)

                // Registration: globex's initial access token registers nothing here, and the
                // registration access token of a client registered at globex manages nothing here.
                for tenant in [acme.tenant, globex.fixture.tenant] {
                    _ = try await runtime.administration.updateSettings(
                        of: try await runtime.administration.tenant(tenant.slug.rawValue),
                        [.registration: .text("initial_access_token")], actor: "test")
                }
                await runtime.tenants.reset()
                let (_, globexInitial) = try await runtime.administration.createRegistrationToken(
                    in: globex.fixture.tenant, uses: nil, lifetime: 3_600, actor: "test")
                covered.insert("POST /t/{tenant}/register")
                var app = ClientRegistrationTests.native
                app["scope"] = nil
                let foreignRegistration = try await ClientRegistrationTests.post(client, app, bearer: globexInitial)
                #expect(foreignRegistration.status == .unauthorized)
                let atGlobex = try await ClientRegistrationTests.post(
                    client, app, bearer: globexInitial, path: "/t/globex/register"
                ).jsonObject()
                let globexApp = try #require(atGlobex["client_id"] as? String)
                let globexAppToken = try #require(atGlobex["registration_access_token"] as? String)
                for method in [HTTPRequest.Method.get, .put, .delete] {
                    covered.insert("\(method) /t/{tenant}/register/{client_id}")
                    let response = try await client.execute(
                        uri: "/t/acme/register/\(globexApp)", method: method,
                        headers: [.authorization: "Bearer \(globexAppToken)", .contentType: "application/json"],
                        body: ByteBuffer(string: "{\"client_id\": \"\(globexApp)\"}"))
                    #expect(response.status == .unauthorized, "\(method)")
                }
                let stillThere = try await client.execute(
                    uri: "/t/globex/register/\(globexApp)", method: .get,
                    headers: [.authorization: "Bearer \(globexAppToken)"])
                #expect(stillThere.status == .ok)

                // Device authorization with globex's client; the verification page with its code.
                covered.insert("POST /t/{tenant}/device_authorization")
                let foreignDevice = try await Self.post(
                    client, "/t/acme/device_authorization", ["client_id": globex.fixture.clientID])
                #expect(foreignDevice.status == .unauthorized)
                covered.insert("GET /t/{tenant}/device")
                covered.insert("POST /t/{tenant}/device")
                let browser = TestBrowser(client)
                let deviceForm = try await browser.get("/t/acme/device?user_code=\(globex.userCode)")
                let typed = try await browser.post(
                    "/t/acme/device", ["csrf_token": try deviceForm.input("csrf_token"), "user_code": globex.userCode])
                #expect(typed.status == .badRequest)
                #expect(typed.text.contains("not valid or has expired"))

                // Userinfo with globex's token.
                covered.insert("GET /t/{tenant}/userinfo")
                covered.insert("POST /t/{tenant}/userinfo")
                for method in [HTTPRequest.Method.get, .post] {
                    let userinfo = try await client.execute(
                        uri: "/t/acme/userinfo", method: method,
                        headers: [.authorization: "Bearer \(globex.accessToken)"])
                    #expect(userinfo.status == .unauthorized, "\(method)")
                }

                // The pages: globex's client, user, session cookie, CSRF token and pending state.
                covered.insert("GET /t/{tenant}/authorize")
                var foreignAuthorize = acme.authorizeURL()
                foreignAuthorize = foreignAuthorize.replacingOccurrences(
                    of: acme.clientID, with: globex.fixture.clientID)
                let untrusted = try await client.execute(uri: foreignAuthorize, method: .get)
                #expect(untrusted.status == .badRequest)
                #expect(untrusted.headers[.location] == nil)
                covered.insert("POST /t/{tenant}/authorize")
                let foreignQuery = try #require(foreignAuthorize.split(separator: "?", maxSplits: 1).last)
                let untrustedPost = try await client.execute(
                    uri: "/t/acme/authorize", method: .post,
                    headers: [.contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: String(foreignQuery)))
                #expect(untrustedPost.status == .badRequest)
                #expect(untrustedPost.headers[.location] == nil)
                // Sign-out with globex's ID token: refused, nobody redirected.
                for method in ["GET", "POST"] { covered.insert("\(method) /t/{tenant}/end_session") }
                let foreignHint = try await client.execute(
                    uri: "/t/acme/end_session?" + FormBody.encode(["id_token_hint": globex.idToken]), method: .get)
                #expect(foreignHint.status == .badRequest && foreignHint.headers[.location] == nil)
                let foreignHintPosted = try await Self.post(
                    client, "/t/acme/end_session", ["id_token_hint": globex.idToken])
                #expect(foreignHintPosted.status == .badRequest)
                covered.insert("POST /t/{tenant}/login")
                let login = try await browser.get(acme.authorizeURL())
                // globex's alice has the same name and password: at acme that is acme's alice,
                // so a user of globex only is tried here.
                _ = try await runtime.administration.createUser(
                    in: globex.fixture.tenant, username: "zoe", password: "zoe's long password", actor: "test")
                let foreignUser = try await browser.post(
                    "/t/acme/login",
                    [
                        "csrf_token": try login.input("csrf_token"), "pending": try login.input("pending"),
                        "username": "zoe", "password": "zoe's long password",
                    ])
                #expect(foreignUser.status == .unauthorized)
                covered.insert("GET /t/{tenant}/account")
                let account = try await client.execute(
                    uri: "/t/acme/account", method: .get, headers: [.cookie: globex.sessionCookies])
                #expect(account.text.contains("name=\"password\""), "a globex session is not signed in at acme")
                let stolen = [
                    "csrf_token": globex.csrfToken, "pending": globex.pending, "decision": "approve",
                    "client_id": acme.clientID,
                ]
                for path in [
                    "/consent", "/account/revoke", "/logout", "/login/otp", "/end_session/confirm", "/account/totp",
                    "/account/totp/confirm", "/account/totp/remove", "/login/enrol", "/login/continue",
                    "/login/passkey",
                    "/account/passkeys", "/account/passkeys/remove", "/account/sessions/end",
                    "/account/sessions/end-others",
                    "/login/upstream",
                ] {
                    covered.insert("POST /t/{tenant}\(path)")
                    let replayed = try await Self.post(
                        client, "/t/acme" + path, stolen, cookies: globex.sessionCookies)
                    #expect(replayed.status == .forbidden, "\(path): \(replayed.status)")
                }

                // An upstream sign-in's callback with globex's sealed browser state signs nobody in.
                covered.insert("GET /t/{tenant}/login/upstream/callback")
                let foreignCallback = try await client.execute(
                    uri: "/t/acme/login/upstream/callback?code=c&state=s", method: .get,
                    headers: [
                        .cookie: globex.sessionCookies + "; tessera_upstream=" + globex.pending
                    ])
                #expect(foreignCallback.status == .badRequest)
                #expect(
                    !foreignCallback.headers[values: .setCookie].contains {
                        $0.hasPrefix("tessera_session=") && !$0.contains("Max-Age=0")
                    })

                // The admin API: globex's admin token on every operation, and globex's ids with acme's.
                let document = try await client.execute(uri: "/openapi.json", method: .get).jsonObject()
                let paths = try #require(document["paths"] as? [String: [String: Any]])
                let methods: Set<String> = ["get", "post", "put", "patch", "delete"]
                for (path, operations) in paths {
                    for method in operations.keys where methods.contains(method) {
                        let template = path
                        covered.insert("\(method.uppercased()) \(template)")
                        let uri = TenantWallTests.concrete(template, tenant: "acme")
                        let response = try await AdminAPITests.call(
                            client, try #require(HTTPRequest.Method(method.uppercased())), uri,
                            token: globex.adminToken,
                            json: "{}", ifMatch: "*")
                        #expect(response.status == .unauthorized, "\(method) \(uri)")
                    }
                }
                _ = try await runtime.administration.createIdentityProvider(
                    in: globex.fixture.tenant,
                    .init(
                        slug: "corp", name: "Corp", issuer: "https://login.globex.example", clientID: "c",
                        clientSecret: "s"), actor: "test")
                let (admin, adminSecret) = try await runtime.administration.createClient(
                    in: acme.tenant, .init(name: "Admin", grants: ["client_credentials"], scopes: ["tessera:admin"]),
                    actor: "test")
                let acmeAdmin = try await AdminAPITests.token(
                    client, "acme", .init(id: admin.id, secret: try #require(adminSecret)))
                for uri in [
                    "/t/acme/admin/v1/clients/\(globex.fixture.clientID)", "/t/acme/admin/v1/users/\(globex.userID)",
                    "/t/acme/admin/v1/users/\(globex.userID)/consents", "/t/acme/admin/v1/identity-providers/corp",
                ] {
                    let response = try await AdminAPITests.call(client, .get, uri, token: acmeAdmin)
                    #expect(response.status == .notFound, "\(uri)")
                }

                // Every route of an issuer has a row above (OPTIONS preflights and the admin API's
                // 405 answers carry no tenant data).
                let table = TenantWallTests.routeTable(runtime).filter {
                    TenantWallTests.isBehindTheWall($0.path) && $0.method != .options
                }
                let declared = Set(table.map { "\($0.method) \($0.path)" }).filter { route in
                    !route.contains("/admin/v1") || covered.contains(route)
                }
                #expect(declared.subtracting(covered).isEmpty, "routes without a cross-tenant row")
                #expect(covered.subtracting(Set(table.map { "\($0.method) \($0.path)" })).isEmpty)
            }
        }
    }
}
