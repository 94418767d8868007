import Foundation
import HTTPTypes
import HummingbirdTesting
import TesseraCore
import TesseraJOSE
import TesseraOAuth
import TesseraServer
import TesseraStore
import TesseraTestSupport
import Testing

/// "Sign in with …" through the routes, in-process, against a fake upstream on loopback.
@Suite("Upstream sign-in routes")
struct UpstreamSignInTests {
    static func withSetup(
        justInTime: Bool = true,
        _ body:
            @Sendable (TesseraRuntime, any TestClientProtocol, DelegationFixture, FakeUpstreamProvider) async throws ->
            Void
    ) async throws {
        let upstream = try await FakeUpstreamProvider()
        defer { upstream.stop() }
        let runtime = try await ServerFixture.open(
            url: try await TestDatabases.freshURL(.sqlite), masterKey: MasterKey.generate()
        ) { $0.outboundAllowLoopback = true }
        do {
            try await ServerFixture.withClient(runtime) { client in
                let fixture = try await DelegationFixture.make(runtime)
                if justInTime {
                    _ = try await runtime.administration.updateSettings(
                        of: fixture.tenant, [.upstreamUserCreation: .flag(true)], actor: "test")
                    await runtime.tenants.reset()
                }
                _ = try await runtime.administration.createIdentityProvider(
                    in: fixture.tenant,
                    .init(
                        slug: "corp", name: "Corp", issuer: upstream.issuer, clientID: FakeUpstreamProvider.clientID,
                        clientSecret: FakeUpstreamProvider.clientSecret),
                    actor: "test")
                try await body(runtime, client, fixture, upstream)
            }
        } catch {
            await runtime.close()
            throw error
        }
        await runtime.close()
    }

    /// From the app's authorization request to the upstream's authorization endpoint: the
    /// redirect's query.
    static func start(_ browser: TestBrowser, _ fixture: DelegationFixture) async throws -> [String: String] {
        let login = try await browser.get(fixture.authorizeURL())
        #expect(login.text.contains("Sign in with Corp"))
        let started = try await browser.post(
            fixture.path + "/login/upstream",
            ["csrf_token": try login.input("csrf_token"), "pending": try login.input("pending"), "provider": "corp"])
        #expect(started.status == .seeOther)
        #expect(browser.cookies["tessera_upstream"] != nil)
        return try started.redirectQuery()
    }

    static func callback(
        _ browser: TestBrowser, _ fixture: DelegationFixture, _ query: [String: String]
    ) async throws -> TestResponse {
        try await browser.get(fixture.path + "/login/upstream/callback?" + FormBody.encode(query))
    }

    @Test func startRedirectsWithStateNonceAndS256Challenge() async throws {
        try await Self.withSetup { _, client, fixture, upstream in
            let query = try await Self.start(TestBrowser(client), fixture)
            #expect(query["response_type"] == "code")
            #expect(query["client_id"] == FakeUpstreamProvider.clientID)
            #expect(query["redirect_uri"] == ServerFixture.issuer(fixture) + "/login/upstream/callback")
            #expect(query["scope"] == "openid profile email")
            #expect(query["code_challenge_method"] == "S256")
            #expect((query["code_challenge"] ?? "").count == 43)
            #expect((query["state"] ?? "").count >= 43 && (query["nonce"] ?? "").count >= 43)
            #expect(upstream.server.received.contains { $0.target == "/.well-known/openid-configuration" })
        }
    }

    @Test func aFirstSignInCreatesAndLinksTheUserAndTheSecondReusesIt() async throws {
        try await Self.withSetup { runtime, client, fixture, upstream in
            let browser = TestBrowser(client)
            let query = try await Self.start(browser, fixture)
            upstream.expect(nonce: try #require(query["nonce"]))
            let done = try await Self.callback(
                browser, fixture, ["code": "c1", "state": try #require(query["state"]), "iss": upstream.issuer])
            // Signed in: the consent page of the original request follows.
            #expect(done.status == .ok, "\(done.text)")
            #expect(done.text.contains("name=\"decision\""))
            #expect(browser.cookies["tessera_upstream"] == nil)
            let user = try #require(try await runtime.store.user(tenantID: fixture.tenant.id, username: "carol"))
            let link = try #require(
                try await runtime.store.upstreamAccountLink(
                    tenantID: fixture.tenant.id, issuer: upstream.issuer, subject: "upstream-sub-1"))
            #expect(link.userID == user.id)
            #expect(link.email == "carol@corp.example")
            // The token request authenticated with client_secret_basic and sent the verifier.
            let tokenRequest = try #require(upstream.tokenRequests.first)
            #expect(tokenRequest.headers["authorization"]?.hasPrefix("Basic ") == true)
            #expect(tokenRequest.body.contains("code_verifier="))
            #expect(!tokenRequest.body.contains("client_secret"))

            // A second sign-in in a new browser finds the same user, whatever the username claim says.
            upstream.signIn(as: "upstream-sub-1", username: "renamed")
            let second = TestBrowser(client)
            let again = try await Self.start(second, fixture)
            upstream.expect(nonce: try #require(again["nonce"]))
            let reused = try await Self.callback(
                second, fixture, ["code": "c2", "state": try #require(again["state"]), "iss": upstream.issuer])
            #expect(reused.text.contains("Signed in as <strong>carol</strong>"))
            #expect(try await runtime.store.user(tenantID: fixture.tenant.id, username: "renamed") == nil)
        }
    }

    @Test func theTenantsSecondFactorStillAppliesAndAmrNamesOnlyIt() async throws {
        try await Self.withSetup { runtime, client, fixture, upstream in
            // First sign-in: carol is created, linked and approves the app.
            let browser = TestBrowser(client)
            var query = try await Self.start(browser, fixture)
            upstream.expect(nonce: try #require(query["nonce"]))
            let consent = try await Self.callback(
                browser, fixture, ["code": "c1", "state": try #require(query["state"]), "iss": upstream.issuer])
            let approved = try await browser.post(
                fixture.path + "/consent",
                [
                    "csrf_token": try consent.input("csrf_token"), "pending": try consent.input("pending"),
                    "decision": "approve",
                ])
            #expect(approved.status == .seeOther)
            let first = try await fixture.redeem(client, code: try #require(try approved.redirectQuery()["code"]))
            #expect(try Self.claims(of: first)["amr"] == nil, "an upstream-only sign-in names no method")

            // carol gets a TOTP factor: the next upstream sign-in asks for it before anything else.
            let user = try #require(try await runtime.store.user(tenantID: fixture.tenant.id, username: "carol"))
            let enrolment = try await runtime.secondFactors.enrolTOTP(
                for: user, in: fixture.tenant, issuerName: "Acme", confirmed: true)
            let second = TestBrowser(client)
            query = try await Self.start(second, fixture)
            upstream.expect(nonce: try #require(query["nonce"]))
            let codePage = try await Self.callback(
                second, fixture, ["code": "c2", "state": try #require(query["state"]), "iss": upstream.issuer])
            #expect(codePage.text.contains("name=\"otp\""))
            #expect(second.cookies["tessera_session"] == nil, "not signed in before the second factor")
            let done = try await second.post(
                fixture.path + "/login/otp",
                [
                    "csrf_token": try codePage.input("csrf_token"), "pending": try codePage.input("pending"),
                    "otp": enrolment.recoveryCodes[0],
                ])
            #expect(done.status == .seeOther, "\(done.text)")
            let tokens = try await fixture.redeem(client, code: try #require(try done.redirectQuery()["code"]))
            #expect(try Self.claims(of: tokens)["amr"] as? [String] == ["otp"])
        }
    }

    /// The ID token's claims in a token response.
    static func claims(of response: TestResponse) throws -> [String: Any] {
        let token = try #require(try response.jsonObject()["id_token"] as? String)
        let payload = try #require(Base64URL.decode(String(token.split(separator: ".")[1])))
        return try #require(try JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any])
    }

    @Test func anExistingUsernameIsNeverLinkedAutomatically() async throws {
        try await Self.withSetup { runtime, client, fixture, upstream in
            // alice exists at acme; the upstream account calling itself alice is someone else.
            upstream.signIn(as: "upstream-sub-2", username: DelegationFixture.username)
            let browser = TestBrowser(client)
            let query = try await Self.start(browser, fixture)
            upstream.expect(nonce: try #require(query["nonce"]))
            let refused = try await Self.callback(
                browser, fixture, ["code": "c", "state": try #require(query["state"]), "iss": upstream.issuer])
            #expect(refused.status == .conflict)
            #expect(refused.text.contains("is not linked"))
            #expect(
                try await runtime.store.upstreamAccountLink(
                    tenantID: fixture.tenant.id, issuer: upstream.issuer, subject: "upstream-sub-2") == nil)
            #expect(browser.cookies["tessera_session"] == nil)
        }
    }

    @Test func withoutJustInTimeCreationAnUnlinkedAccountIsRefused() async throws {
        try await Self.withSetup(justInTime: false) { runtime, client, fixture, upstream in
            let browser = TestBrowser(client)
            let query = try await Self.start(browser, fixture)
            upstream.expect(nonce: try #require(query["nonce"]))
            let refused = try await Self.callback(
                browser, fixture, ["code": "c", "state": try #require(query["state"]), "iss": upstream.issuer])
            #expect(refused.status == .forbidden)
            #expect(try await runtime.store.user(tenantID: fixture.tenant.id, username: "carol") == nil)
        }
    }

    @Test func aTokenForAnotherClientIsRefusedWithAPageAndNoUser() async throws {
        try await Self.withSetup { runtime, client, fixture, upstream in
            upstream.issue(audience: "someone-else")
            let browser = TestBrowser(client)
            let query = try await Self.start(browser, fixture)
            upstream.expect(nonce: try #require(query["nonce"]))
            let refused = try await Self.callback(
                browser, fixture, ["code": "c", "state": try #require(query["state"]), "iss": upstream.issuer])
            #expect(refused.status == .badRequest)
            #expect(refused.text.contains("another client"))
            #expect(try await runtime.store.user(tenantID: fixture.tenant.id, username: "carol") == nil)
            let audit = try await runtime.store.auditEvents(tenantID: fixture.tenant.id, after: nil, limit: 500)
            #expect(audit.contains { $0.action == .upstreamLoginFailure })
        }
    }

    @Test func badCallbacksAreRefusedWithoutCallingTheTokenEndpoint() async throws {
        try await Self.withSetup { _, client, fixture, upstream in
            let browser = TestBrowser(client)
            let query = try await Self.start(browser, fixture)
            let state = try #require(query["state"])
            let sealed = try #require(browser.cookies["tessera_upstream"])
            // Another state.
            var answer = try await Self.callback(
                browser, fixture, ["code": "c", "state": "forged", "iss": upstream.issuer])
            #expect(answer.status == .badRequest)
            #expect(answer.text.contains("does not belong to this sign-in"))
            // The browser's jar dropped the spent cookie: the next cases present it themselves.
            let withCookie: ([String: String]) async throws -> TestResponse = { fields in
                try await client.execute(
                    uri: fixture.path + "/login/upstream/callback?" + FormBody.encode(fields), method: .get,
                    headers: [
                        .cookie:
                            "tessera_upstream=\(sealed); tessera_browser=\(try #require(browser.cookies["tessera_browser"]))"
                    ])
            }
            // An issuer other than the provider's (RFC 9207), and none where the provider promises one.
            answer = try await withCookie(["code": "c", "state": state, "iss": "https://evil.example.com"])
            #expect(answer.status == .badRequest && answer.text.contains("another issuer"))
            answer = try await withCookie(["code": "c", "state": state])
            #expect(answer.status == .badRequest && answer.text.contains("does not name its issuer"))
            // An error answer.
            answer = try await withCookie(["error": "access_denied", "state": state, "iss": upstream.issuer])
            #expect(answer.status == .badRequest && answer.text.contains("access denied"))
            // No cookie, or another browser's.
            answer = try await client.execute(
                uri: fixture.path + "/login/upstream/callback?" + FormBody.encode(["code": "c", "state": state]),
                method: .get)
            #expect(answer.status == .badRequest && answer.text.contains("expired"))
            answer = try await client.execute(
                uri: fixture.path + "/login/upstream/callback?" + FormBody.encode(["code": "c", "state": state]),
                method: .get, headers: [.cookie: "tessera_upstream=\(sealed); tessera_browser=another"])
            #expect(answer.status == .badRequest && answer.text.contains("another browser"))
            #expect(upstream.tokenRequests.isEmpty)
        }
    }

    @Test func startNeedsTheFormsCSRFTokenAndAnEnabledProvider() async throws {
        try await Self.withSetup { runtime, client, fixture, _ in
            let browser = TestBrowser(client)
            let login = try await browser.get(fixture.authorizeURL())
            let forged = try await browser.post(
                fixture.path + "/login/upstream",
                ["csrf_token": "x", "pending": try login.input("pending"), "provider": "corp"])
            #expect(forged.status == .forbidden)
            let unknown = try await browser.post(
                fixture.path + "/login/upstream",
                [
                    "csrf_token": try login.input("csrf_token"), "pending": try login.input("pending"),
                    "provider": "nope",
                ])
            #expect(unknown.status == .badRequest)
            _ = try await runtime.administration.updateIdentityProvider(
                in: fixture.tenant, slug: "corp", .init(enabled: false), expectedVersion: nil, actor: "test")
            let page = try await browser.get(fixture.authorizeURL())
            #expect(!page.text.contains("Sign in with Corp"))
            let disabled = try await browser.post(
                fixture.path + "/login/upstream",
                ["csrf_token": try page.input("csrf_token"), "pending": try page.input("pending"), "provider": "corp"])
            #expect(disabled.status == .badRequest)
            #expect(browser.cookies["tessera_upstream"] == nil)
        }
    }

    @Test func aTransactionOfOneTenantDoesNotOpenAtAnother() async throws {
        try await Self.withSetup { runtime, client, fixture, upstream in
            let globex = try await DelegationFixture.make(runtime, slug: "globex")
            _ = try await runtime.administration.createIdentityProvider(
                in: globex.tenant,
                .init(
                    slug: "corp", name: "Corp", issuer: upstream.issuer, clientID: FakeUpstreamProvider.clientID,
                    clientSecret: FakeUpstreamProvider.clientSecret),
                actor: "test")
            let browser = TestBrowser(client)
            let query = try await Self.start(browser, fixture)
            upstream.expect(nonce: try #require(query["nonce"]))
            let answer = try await browser.get(
                globex.path + "/login/upstream/callback?"
                    + FormBody.encode(["code": "c", "state": try #require(query["state"]), "iss": upstream.issuer]))
            #expect(answer.status == .badRequest)
            #expect(upstream.tokenRequests.isEmpty)
        }
    }
}

extension ServerFixture {
    static func issuer(_ fixture: DelegationFixture) -> String { publicURL + fixture.path }
}
