import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TesseraCore
import TesseraJOSE
import TesseraOAuth
import TesseraServer
import TesseraTestSupport
import Testing

/// The authorization code flow through the real routes: pages, cookies, CSRF, codes, PKCE,
/// refresh rotation, ID tokens, userinfo, and every bad input the flow must refuse.
@Suite("Authorization code flow")
struct AuthorizationCodeFlowTests {
    static func payload(_ jwt: String) throws -> [String: Any] {
        let part = try #require(jwt.split(separator: ".").dropFirst().first.map(String.init))
        let json = try #require(Base64URL.decode(part))
        return try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
    }

    @Test func userSignsInApprovesAndTheClientGetsTokensThatRotate() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { client in
                let browser = TestBrowser(client)
                let login = try await browser.get(fixture.authorizeURL())
                #expect(login.status == .ok)
                #expect(login.headers[.contentType]?.hasPrefix("text/html") == true)
                let csp = try #require(login.headers[.contentSecurityPolicy])
                #expect(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"))
                #expect(login.headers[.cacheControl] == "no-store")
                #expect(login.text.contains("Order Viewer"))
                let browserCookie = try #require(
                    login.headers[values: .setCookie].first { $0.hasPrefix("tessera_browser=") })
                #expect(browserCookie.contains("HttpOnly") && browserCookie.contains("SameSite=Lax"))
                #expect(browserCookie.contains("Path=/t/acme"))

                let consent = try await browser.post(
                    "/t/acme/login",
                    [
                        "csrf_token": try login.input("csrf_token"), "pending": try login.input("pending"),
                        "username": "Alice", "password": "correct horse battery",
                    ])
                #expect(consent.status == .ok)
                #expect(consent.text.contains("Read your orders") && consent.text.contains("value=\"approve\""))
                #expect(browser.cookies["tessera_session"] != nil)

                let approved = try await browser.post(
                    "/t/acme/consent",
                    [
                        "csrf_token": try consent.input("csrf_token"), "pending": try consent.input("pending"),
                        "decision": "approve",
                    ])
                #expect(approved.status == .seeOther)
                let query = try approved.redirectQuery()
                #expect(approved.location?.hasPrefix(DelegationFixture.redirectURI + "?") == true)
                #expect(query["state"] == "st-123" && query["iss"] == ServerFixture.issuer)
                let code = try #require(query["code"])

                let tokenResponse = try await fixture.redeem(client, code: code)
                #expect(tokenResponse.status == .ok)
                #expect(tokenResponse.headers[.cacheControl] == "no-store")
                let tokens = try tokenResponse.jsonObject()
                let access = try #require(tokens["access_token"] as? String)
                let refresh = try #require(tokens["refresh_token"] as? String)
                let idToken = try #require(tokens["id_token"] as? String)
                #expect(tokens["scope"] as? String == "openid orders:read profile")

                let user = try #require(try await runtime.store.user(tenantID: fixture.tenant.id, username: "alice"))
                let accessClaims = try Self.payload(access)
                #expect(accessClaims["sub"] as? String == user.id.uuidString.lowercased())
                #expect(accessClaims["client_id"] as? String == fixture.clientID)
                #expect(accessClaims["aud"] as? String == "https://api.example.com")
                #expect(accessClaims["auth_time"] is Int)

                let idClaims = try Self.payload(idToken)
                #expect(idClaims["nonce"] as? String == "n-456")
                #expect(
                    idClaims["aud"] as? String == fixture.clientID && idClaims["azp"] as? String == fixture.clientID)
                #expect(idClaims["at_hash"] as? String == IDTokenClaims.atHash(of: access, algorithm: .es256))
                #expect(idClaims["preferred_username"] as? String == "alice")
                #expect(idClaims["auth_time"] as? Int == accessClaims["auth_time"] as? Int)

                let userinfo = try await client.execute(
                    uri: "/t/acme/userinfo", method: .get, headers: [.authorization: "Bearer \(access)"])
                #expect(userinfo.status == .ok)
                let info = try userinfo.jsonObject()
                #expect(info["sub"] as? String == user.id.uuidString.lowercased())
                #expect(info["preferred_username"] as? String == "alice")

                // Rotation: a new refresh token each time; the refresh token introspects as one.
                let introspected = try await fixture.introspect(client, refresh)
                #expect(introspected["active"] as? Bool == true)
                #expect(introspected["token_type"] as? String == "refresh_token")
                let rotated = try await fixture.refresh(client, refresh, scope: "orders:read")
                #expect(rotated.status == .ok)
                let rotatedTokens = try rotated.jsonObject()
                #expect(rotatedTokens["scope"] as? String == "orders:read")
                let second = try #require(rotatedTokens["refresh_token"] as? String)
                #expect(second != refresh)
                // The narrowed refresh still rotates to the whole grant.
                let third = try await fixture.refresh(client, second)
                #expect(try third.jsonObject()["scope"] as? String == "openid orders:read profile")
            }
        }
    }

    @Test func reusedRefreshTokenRevokesTheWholeFamily() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { client in
                let code = try await fixture.code(TestBrowser(client))
                let first = try #require(
                    try await fixture.redeem(client, code: code).jsonObject()["refresh_token"] as? String)
                let second = try #require(
                    try await fixture.refresh(client, first).jsonObject()["refresh_token"] as? String)
                let reuse = try await fixture.refresh(client, first)
                #expect(reuse.status == .badRequest)
                #expect(try reuse.jsonObject()["error"] as? String == "invalid_grant")
                // The thief's or the owner's: nobody can tell, so the live one dies too.
                let afterReuse = try await fixture.refresh(client, second)
                #expect(try afterReuse.jsonObject()["error"] as? String == "invalid_grant")
                #expect(try await fixture.introspect(client, second)["active"] as? Bool == false)
                let audit = try await runtime.store.auditEvents(tenantID: fixture.tenant.id, after: nil, limit: 100)
                #expect(audit.contains { $0.action == .refreshTokenReuse })
            }
        }
    }

    @Test(arguments: TestBackend.allCases)
    func concurrentRefreshesHaveOneWinner(backend: TestBackend) async throws {
        try await ServerFixture.withRuntime(backend) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { client in
                let code = try await fixture.code(TestBrowser(client))
                let refresh = try #require(
                    try await fixture.redeem(client, code: code).jsonObject()["refresh_token"] as? String)
                let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for _ in 0..<2 { group.addTask { try await fixture.refresh(client, refresh).status } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses.filter { $0 == .ok }.count == 1)
                #expect(statuses.filter { $0 == .badRequest }.count == 1)
                // Consistent afterwards: the whole family is revoked, none half-written.
                let family = try await runtime.store.refreshToken(
                    tenantID: fixture.tenant.id, tokenHash: SecretHash(of: refresh))
                let familyID = try #require(family?.familyID)
                #expect(
                    try await runtime.store.revokeRefreshFamily(
                        tenantID: fixture.tenant.id, familyID: familyID, at: Date()) == 0)
            }
        }
    }

    @Test func replayedCodeFailsAndRevokesWhatTheFirstUseIssued() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { client in
                let code = try await fixture.code(TestBrowser(client))
                let tokens = try await fixture.redeem(client, code: code).jsonObject()
                let access = try #require(tokens["access_token"] as? String)
                let refresh = try #require(tokens["refresh_token"] as? String)
                #expect(try await fixture.introspect(client, access)["active"] as? Bool == true)

                let replay = try await fixture.redeem(client, code: code)
                #expect(replay.status == .badRequest)
                #expect(try replay.jsonObject()["error"] as? String == "invalid_grant")
                #expect(try await fixture.introspect(client, access)["active"] as? Bool == false)
                #expect(try await fixture.refresh(client, refresh).status == .badRequest)
            }
        }
    }

    @Test func wrongVerifierOtherClientOrRedirectURIAreInvalidGrant() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { client in
                let browser = TestBrowser(client)
                // Another client presenting the code: refused, and the code is not burned.
                let code = try await fixture.code(browser)
                let stolen = try await fixture.redeem(client, code: code, authorization: fixture.otherBasic)
                #expect(try stolen.jsonObject()["error"] as? String == "invalid_grant")
                #expect(try await fixture.redeem(client, code: code).status == .ok)

                let wrongVerifier = try await fixture.code(browser)
                let bad = try await fixture.redeem(
                    client, code: wrongVerifier, verifier: RandomToken.generate(bytes: 32))
                #expect(try bad.jsonObject()["error"] as? String == "invalid_grant")
                // A wrong verifier burns the code.
                #expect(try await fixture.redeem(client, code: wrongVerifier).status == .badRequest)

                let wrongRedirect = try await fixture.code(browser)
                let redirected = try await fixture.redeem(
                    client, code: wrongRedirect, redirectURI: "https://app.example.com/other")
                #expect(try redirected.jsonObject()["error"] as? String == "invalid_grant")

                let missing = try await client.execute(
                    uri: "/t/acme/token", method: .post,
                    headers: [.authorization: fixture.basic, .contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: "grant_type=authorization_code&code=\(try await fixture.code(browser))"))
                #expect(try missing.jsonObject()["error"] as? String == "invalid_request")
                let unknown = try await fixture.redeem(client, code: RandomToken.generate())
                #expect(try unknown.jsonObject()["error"] as? String == "invalid_grant")
            }
        }
    }

    /// OIDC Core §3.1.2.1: the same request by POST with a form body; only a form body counts.
    @Test func theAuthorizationEndpointTakesAPostedForm() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { client in
                let query = String(try #require(fixture.authorizeURL().split(separator: "?", maxSplits: 1).last))
                let posted = try await client.execute(
                    uri: fixture.path + "/authorize", method: .post,
                    headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: query))
                #expect(posted.status == .ok)
                #expect(posted.text.contains("name=\"password\""))
                let asJSON = try await client.execute(
                    uri: fixture.path + "/authorize", method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(string: "{}"))
                #expect(asJSON.status == .badRequest)
                let broken = try await client.execute(
                    uri: fixture.path + "/authorize", method: .post,
                    headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: "scope=%zz"))
                #expect(broken.status == .badRequest)
            }
        }
    }

    @Test func requestErrorsGoBackToTheClientWithState() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { client in
                let browser = TestBrowser(client)
                let cases: [([String: String], Set<String>, String)] = [
                    ([:], ["code_challenge"], "invalid_request"),
                    (["code_challenge_method": "plain"], [], "invalid_request"),
                    ([:], ["code_challenge_method"], "invalid_request"),
                    (["code_challenge": "short"], [], "invalid_request"),
                    (["response_type": "token"], [], "unsupported_response_type"),
                    (["scope": "openid orders:write"], [], "invalid_scope"),
                    (["resource": "https://evil.example.com"], [], "invalid_target"),
                    (["prompt": "none"], [], "login_required"),
                    (["prompt": "none login"], [], "invalid_request"),
                    (["request_uri": "https://x.example.com/r"], [], "request_uri_not_supported"),
                    (["request_uri": "urn:ietf:params:oauth:request_uri:never-pushed"], [], "invalid_request_uri"),
                    (["request": "not.a.jwt"], [], "invalid_request_object"),
                    (
                        ["request": "a.b.c", "request_uri": "urn:ietf:params:oauth:request_uri:x"], [],
                        "invalid_request"
                    ),
                    (["dpop_jkt": "too-short"], [], "invalid_request"),
                ]
                for (extra, omit, expected) in cases {
                    let response = try await browser.get(fixture.authorizeURL(extra, omit: omit))
                    #expect(response.status == .seeOther, "\(extra) \(omit)")
                    let query = try response.redirectQuery()
                    #expect(query["error"] == expected, "\(extra) \(omit): \(query)")
                    #expect(query["state"] == "st-123")
                    #expect(response.location?.hasPrefix(DelegationFixture.redirectURI) == true)
                }
            }
        }
    }

    @Test func untrustedClientOrRedirectURIIsShownNeverRedirected() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { client in
                let browser = TestBrowser(client)
                for (extra, omit) in [
                    (["redirect_uri": "https://evil.example.com/callback"], Set<String>()),
                    (["redirect_uri": DelegationFixture.redirectURI + "/x"], []),
                    (["client_id": "no-such-client"], []), ([:], ["client_id"]),
                ] {
                    let response = try await browser.get(fixture.authorizeURL(extra, omit: omit))
                    #expect(response.status == .badRequest, "\(extra)")
                    #expect(response.location == nil)
                    #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                }
                let duplicated = try await browser.get(fixture.authorizeURL() + "&client_id=" + fixture.clientID)
                #expect(duplicated.status == .badRequest && duplicated.location == nil)
            }
        }
    }

    @Test func formsWithoutTheBrowsersCSRFTokenAreRefused() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { client in
                let browser = TestBrowser(client)
                let login = try await browser.get(fixture.authorizeURL())
                let pending = try login.input("pending")
                var form = ["pending": pending, "username": "alice", "password": "correct horse battery"]
                let missing = try await browser.post("/t/acme/login", form)
                #expect(missing.status == .forbidden)
                #expect(browser.cookies["tessera_session"] == nil)
                form["csrf_token"] = "forged"
                #expect(try await browser.post("/t/acme/login", form).status == .forbidden)
                // A token from another browser (another binding cookie) does not fit this one.
                let other = TestBrowser(client)
                form["csrf_token"] = try await other.get(fixture.authorizeURL()).input("csrf_token")
                #expect(try await browser.post("/t/acme/login", form).status == .forbidden)
                // Without any cookie at all (a cross-site POST under SameSite=Lax).
                let cookieless = try await client.execute(
                    uri: "/t/acme/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(
                        string: FormBody.encode(["csrf_token": try login.input("csrf_token"), "pending": pending])))
                #expect(cookieless.status == .forbidden)
            }
        }
    }

    @Test func wrongPasswordUnknownUserAndOtherTenantsUserLookAlike() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            _ = try await runtime.administration.createTenant(slug: "beta", name: "Beta", actor: "test")
            _ = try await runtime.administration.createUser(
                in: try await runtime.administration.tenant("beta"), username: "bob", password: "bob's password!",
                actor: "test")
            try await ServerFixture.withClient(runtime) { client in
                let browser = TestBrowser(client)
                var bodies: [String] = []
                for (username, password) in [
                    ("alice", "wrong password"), ("nobody", "whatever1"), ("bob", "bob's password!"),
                ] {
                    let login = try await browser.get(fixture.authorizeURL())
                    let failed = try await browser.post(
                        "/t/acme/login",
                        [
                            "csrf_token": try login.input("csrf_token"), "pending": try login.input("pending"),
                            "username": username, "password": password,
                        ])
                    #expect(failed.status == .unauthorized)
                    #expect(failed.text.contains("Wrong username or password."))
                    #expect(browser.cookies["tessera_session"] == nil)
                    // Sealed values and the passkey button's fresh challenge differ by design.
                    bodies.append(
                        failed.text.replacing(try Regex(#"value="[^"]*""#), with: "")
                            .replacing(try Regex(#"data-webauthn="[^"]*""#), with: ""))
                }
                #expect(Set(bodies).count == 1)
                let audit = try await runtime.store.auditEvents(tenantID: fixture.tenant.id, after: nil, limit: 100)
                #expect(audit.filter { $0.action == .loginFailure }.count == 3)
            }
        }
    }

    @Test func repeatedFailuresBackOffEvenForTheRightPassword() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { client in
                let browser = TestBrowser(client)
                func attempt(_ password: String) async throws -> TestResponse {
                    let login = try await browser.get(fixture.authorizeURL(["prompt": "login"]))
                    return try await browser.post(
                        "/t/acme/login",
                        [
                            "csrf_token": try login.input("csrf_token"), "pending": try login.input("pending"),
                            "username": "alice", "password": password,
                        ])
                }
                for _ in 0..<LoginThrottle.freeAttempts { _ = try await attempt("wrong password") }
                let blocked = try await attempt("correct horse battery")
                #expect(blocked.status == .tooManyRequests)
                #expect(blocked.text.contains("Too many failed attempts"))
                let audit = try await runtime.store.auditEvents(tenantID: fixture.tenant.id, after: nil, limit: 100)
                #expect(audit.contains { $0.action == .loginLockout })
                #expect(audit.contains { $0.action == .loginThrottled })
            }
        }
    }

    @Test func consentIsRememberedAskedAgainForNewScopesAndDenialReturnsAccessDenied() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { client in
                let browser = TestBrowser(client)
                _ = try await fixture.code(browser, ["scope": "openid orders:read"])
                // Signed in and approved: straight back with a code.
                let again = try await browser.get(fixture.authorizeURL(["scope": "orders:read"]))
                #expect(again.status == .seeOther)
                #expect(try again.redirectQuery()["code"] != nil)
                // A new scope: the consent page, which marks what was allowed before.
                let wider = try await browser.get(fixture.authorizeURL(["scope": "orders:read profile"]))
                #expect(wider.status == .ok && wider.text.contains("(allowed before)"))
                // Only the device flow has a code to compare; this page draws no code box.
                #expect(!wider.text.contains("class=\"code-check\"") && !wider.text.contains("your device shows"))
                let denied = try await browser.post(
                    "/t/acme/consent",
                    [
                        "csrf_token": try wider.input("csrf_token"), "pending": try wider.input("pending"),
                        "decision": "deny",
                    ])
                let query = try denied.redirectQuery()
                #expect(query["error"] == "access_denied" && query["state"] == "st-123")
                // prompt=consent asks even when everything was approved.
                let forced = try await browser.get(fixture.authorizeURL(["scope": "orders:read", "prompt": "consent"]))
                #expect(forced.status == .ok && forced.text.contains("value=\"approve\""))
                // prompt=none with a scope never approved: consent_required, no page.
                let silent = try await browser.get(fixture.authorizeURL(["scope": "profile", "prompt": "none"]))
                #expect(try silent.redirectQuery()["error"] == "consent_required")
                // max_age=0 forces a fresh sign-in.
                let stale = try await browser.get(fixture.authorizeURL(["max_age": "0"]))
                #expect(stale.status == .ok && stale.text.contains("name=\"password\""))
            }
        }
    }

    @Test func revokingAnAppOnTheAccountPageRevokesItsRefreshTokens() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { client in
                let browser = TestBrowser(client)
                let code = try await fixture.code(browser)
                let refresh = try #require(
                    try await fixture.redeem(client, code: code).jsonObject()["refresh_token"] as? String)
                let account = try await browser.get("/t/acme/account")
                #expect(account.status == .ok && account.text.contains("Order Viewer"))
                let removed = try await browser.post(
                    "/t/acme/account/revoke",
                    ["csrf_token": try account.input("csrf_token"), "client_id": try account.input("client_id")])
                #expect(removed.status == .seeOther)
                #expect(try await fixture.refresh(client, refresh).status == .badRequest)
                let after = try await browser.get("/t/acme/account")
                #expect(!after.text.contains("Order Viewer"))
                // The next authorization asks again.
                let asked = try await browser.get(fixture.authorizeURL())
                #expect(asked.text.contains("value=\"approve\""))
                // Signed out: the account page asks for a password.
                _ = try await browser.post("/t/acme/logout", ["csrf_token": try after.input("csrf_token")])
                #expect(try await browser.get("/t/acme/account").text.contains("name=\"password\""))
            }
        }
    }

    @Test func sessionOfOneTenantIsNothingAtAnother() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            _ = try await runtime.administration.createTenant(slug: "beta", name: "Beta", actor: "test")
            try await ServerFixture.withClient(runtime) { client in
                let browser = TestBrowser(client)
                _ = try await fixture.code(browser)
                let session = try #require(browser.cookies["tessera_session"])
                let elsewhere = try await client.execute(
                    uri: "/t/beta/account", method: .get, headers: [.cookie: "tessera_session=\(session)"])
                #expect(elsewhere.status == .ok && elsewhere.text.contains("name=\"password\""))
            }
        }
    }

    @Test func userinfoRefusesMissingForeignAndClientTokens() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { client in
                let missing = try await client.execute(uri: "/t/acme/userinfo", method: .get)
                #expect(missing.status == .unauthorized)
                #expect(missing.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                let forged = try await client.execute(
                    uri: "/t/acme/userinfo", method: .get, headers: [.authorization: "Bearer not.a.token"])
                #expect(forged.status == .unauthorized)
                #expect(forged.headers[.wwwAuthenticate]?.contains("invalid_token") == true)
                let code = try await fixture.code(TestBrowser(client), ["scope": "orders:read"])
                let access = try #require(
                    try await fixture.redeem(client, code: code).jsonObject()["access_token"] as? String)
                let noOpenID = try await client.execute(
                    uri: "/t/acme/userinfo", method: .get, headers: [.authorization: "Bearer \(access)"])
                #expect(noOpenID.status == .forbidden)
                #expect(noOpenID.headers[.wwwAuthenticate]?.contains("insufficient_scope") == true)

                // docs/user-delegation.md, "What userinfo accepts": a user's token with openid,
                // whatever API it is also for; a client's own token names no user.
                let (service, secret) = try await runtime.administration.createClient(
                    in: fixture.tenant, .init(name: "Svc", grants: ["client_credentials"], scopes: ["openid"]),
                    actor: "test")
                let basic = "Basic " + Data("\(service.id):\(try #require(secret))".utf8).base64EncodedString()
                let serviceToken = try #require(
                    try await client.execute(
                        uri: "/t/acme/token", method: .post,
                        headers: [.authorization: basic, .contentType: "application/x-www-form-urlencoded"],
                        body: ByteBuffer(string: "grant_type=client_credentials&scope=openid")
                    ).jsonObject()["access_token"] as? String)
                let ofAClient = try await client.execute(
                    uri: "/t/acme/userinfo", method: .get, headers: [.authorization: "Bearer \(serviceToken)"])
                #expect(ofAClient.status == .unauthorized)
                let userCode = try await fixture.code(TestBrowser(client), ["scope": "openid orders:read"])
                let userToken = try #require(
                    try await fixture.redeem(client, code: userCode).jsonObject()["access_token"] as? String)
                let ofTheUser = try await client.execute(
                    uri: "/t/acme/userinfo", method: .get, headers: [.authorization: "Bearer \(userToken)"])
                #expect(ofTheUser.status == .ok, "an API token with openid reads userinfo")
                // A disabled user's tokens read nothing, at once.
                let alice = try #require(try await runtime.store.user(tenantID: fixture.tenant.id, username: "alice"))
                _ = try await runtime.administration.updateUser(
                    in: fixture.tenant, id: alice.id.uuidString, status: .disabled, password: nil, expectedVersion: nil,
                    actor: "test")
                let disabled = try await client.execute(
                    uri: "/t/acme/userinfo", method: .get, headers: [.authorization: "Bearer \(userToken)"])
                #expect(disabled.status == .unauthorized)
            }
        }
    }

    @Test func discoveryListsTheAuthorizationAndUserinfoEndpoints() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            _ = try await ServerFixture.acme(runtime)
            try await ServerFixture.withClient(runtime) { client in
                let metadata = try await client.execute(uri: "/t/acme/.well-known/openid-configuration", method: .get)
                    .jsonObject()
                #expect(metadata["authorization_endpoint"] as? String == ServerFixture.issuer + "/authorize")
                #expect(metadata["userinfo_endpoint"] as? String == ServerFixture.issuer + "/userinfo")
                #expect(metadata["response_types_supported"] as? [String] == ["code"])
                #expect(metadata["code_challenge_methods_supported"] as? [String] == ["S256"])
                #expect((metadata["grant_types_supported"] as? [String])?.contains("refresh_token") == true)
                #expect(metadata["authorization_response_iss_parameter_supported"] as? Bool == true)
            }
        }
    }
}
