import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TesseraCore
import TesseraOAuth
import TesseraServer
import TesseraTestSupport
import Testing

/// OIDC RP-Initiated Logout 1.0 through the routes: an ID token hint of the signed-in user signs
/// out at once and goes back only to a registered URI with `state`; without a hint the user is
/// asked; nothing else redirects anywhere.
@Suite("RP-initiated logout")
struct EndSessionTests {
    static let afterLogout = "https://app.example.com/signed-out"

    /// alice signed in at the fixture's client, which registered `afterLogout`; her ID token.
    static func signedIn(
        _ runtime: TesseraRuntime, _ http: any TestClientProtocol, _ fixture: DelegationFixture
    ) async throws -> (TestBrowser, idToken: String) {
        var changes = Administration.ClientChanges()
        changes.postLogoutRedirectURIs = [afterLogout]
        _ = try await runtime.administration.updateClient(
            in: fixture.tenant, id: fixture.clientID, changes, expectedVersion: nil, actor: "test")
        let browser = TestBrowser(http)
        let code = try await fixture.code(browser)
        let tokens = try await fixture.redeem(http, code: code).jsonObject()
        return (browser, try #require(tokens["id_token"] as? String))
    }

    static func endSession(_ fixture: DelegationFixture, _ parameters: [String: String]) -> String {
        fixture.path + "/end_session?" + FormBody.encode(parameters)
    }

    @Test func theSignedInUsersHintSignsOutAtOnceAndGoesBackWithState() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { http in
                let (browser, idToken) = try await Self.signedIn(runtime, http, fixture)
                #expect(browser.cookies["tessera_session"] != nil)
                let answer = try await browser.get(
                    Self.endSession(
                        fixture,
                        ["id_token_hint": idToken, "post_logout_redirect_uri": Self.afterLogout, "state": "bye 1"]))
                #expect(answer.status == .seeOther)
                #expect(answer.location == Self.afterLogout + "?state=bye%201")
                #expect(browser.cookies["tessera_session"] == nil)
                // Signed out: the next authorization request asks for the password again.
                #expect(try await browser.get(fixture.authorizeURL()).text.contains("name=\"password\""))
                let metadata = try await http.execute(
                    uri: fixture.path + "/.well-known/openid-configuration", method: .get
                ).jsonObject()
                #expect(metadata["end_session_endpoint"] as? String == ServerFixture.issuer + "/end_session")
            }
        }
    }

    @Test func withoutAHintTheUserIsAskedAndTheFormIsChecked() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { http in
                let (browser, _) = try await Self.signedIn(runtime, http, fixture)
                let asked = try await browser.get(
                    Self.endSession(
                        fixture,
                        ["client_id": fixture.clientID, "post_logout_redirect_uri": Self.afterLogout, "state": "s"]))
                #expect(asked.status == .ok)
                #expect(asked.text.contains("Sign out?"))
                #expect(browser.cookies["tessera_session"] != nil, "a link alone signs nobody out")
                let pending = try asked.input("pending")
                // A forged state or a missing CSRF token does nothing.
                let forged = try await browser.post(
                    fixture.path + "/end_session/confirm",
                    ["csrf_token": try asked.input("csrf_token"), "pending": "x"])
                #expect(forged.status == .badRequest)
                let noCSRF = try await browser.post(fixture.path + "/end_session/confirm", ["pending": pending])
                #expect(noCSRF.status == .forbidden)
                #expect(browser.cookies["tessera_session"] != nil)
                let confirmed = try await browser.post(
                    fixture.path + "/end_session/confirm",
                    ["csrf_token": try asked.input("csrf_token"), "pending": pending])
                #expect(confirmed.status == .seeOther)
                #expect(confirmed.location == Self.afterLogout + "?state=s")
                #expect(browser.cookies["tessera_session"] == nil)
            }
        }
    }

    @Test func nothingElseRedirectsAnywhere() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            let globex = try await DelegationFixture.make(runtime, slug: "globex")
            try await ServerFixture.withClient(runtime) { http in
                let (browser, idToken) = try await Self.signedIn(runtime, http, fixture)
                let globexBrowser = TestBrowser(http)
                let globexToken =
                    try await globex.redeem(http, code: try await globex.code(globexBrowser))
                    .jsonObject()["id_token"] as? String ?? ""
                let refused: [[String: String]] = [
                    // Not registered, or registered only as a redirect URI for the code.
                    ["id_token_hint": idToken, "post_logout_redirect_uri": "https://evil.example.com/"],
                    ["id_token_hint": idToken, "post_logout_redirect_uri": DelegationFixture.redirectURI],
                    // No client to check the URI against.
                    ["post_logout_redirect_uri": Self.afterLogout],
                    // Another tenant's ID token, a forged one, a client_id that is not its audience.
                    ["id_token_hint": globexToken, "post_logout_redirect_uri": Self.afterLogout],
                    ["id_token_hint": idToken + "x"],
                    ["id_token_hint": idToken, "client_id": fixture.otherClientID],
                    ["client_id": "nobody", "post_logout_redirect_uri": Self.afterLogout],
                ]
                for parameters in refused {
                    let answer = try await browser.get(Self.endSession(fixture, parameters))
                    #expect(answer.status == .badRequest, "\(parameters.keys.sorted())")
                    #expect(answer.location == nil)
                }
                #expect(browser.cookies["tessera_session"] != nil, "a refused request signs nobody out")
                // POST with a form body is the same request (§2).
                let posted = try await http.execute(
                    uri: fixture.path + "/end_session", method: .post,
                    headers: [.contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(
                        string: FormBody.encode([
                            "id_token_hint": idToken, "post_logout_redirect_uri": Self.afterLogout,
                        ])))
                #expect(posted.status == .seeOther && posted.location == Self.afterLogout)
            }
        }
    }
}
