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

/// Server-side sessions through the routes: the ID token's `sid` names the session, ending a
/// session anywhere makes its cookie useless, the account page lists and ends sessions, and a
/// sign-out queues logout tokens exactly for the clients the session reached that registered a
/// `backchannel_logout_uri` (OIDC Back-Channel Logout 1.0 §2.5).
@Suite("Sessions and back-channel logout")
struct SessionRoutesTests {
    static let logoutURI = "https://app.example.com/backchannel-logout"

    /// Registers `logoutURI` for the fixture's first client (and, when asked, the other one).
    static func registerLogoutURI(
        _ runtime: TesseraRuntime, _ fixture: DelegationFixture, forOther: Bool = false
    ) async throws {
        var changes = Administration.ClientChanges()
        changes.backchannelLogoutURI = logoutURI
        changes.postLogoutRedirectURIs = [EndSessionTests.afterLogout]
        for id in [fixture.clientID] + (forOther ? [fixture.otherClientID] : []) {
            _ = try await runtime.administration.updateClient(
                in: fixture.tenant, id: id, changes, expectedVersion: nil, actor: "test")
        }
    }

    /// A browser in which alice signed in and approved: its ID token.
    static func idToken(
        _ fixture: DelegationFixture, _ http: any TestClientProtocol, _ browser: TestBrowser
    ) async throws -> String {
        let code = try await fixture.code(browser)
        return try #require(try await fixture.redeem(http, code: code).jsonObject()["id_token"] as? String)
    }

    static func userID(_ runtime: TesseraRuntime, _ fixture: DelegationFixture) async throws -> UUID {
        try #require(try await runtime.store.user(tenantID: fixture.tenant.id, username: DelegationFixture.username)).id
    }

    static func asksForPassword(_ browser: TestBrowser, _ fixture: DelegationFixture) async throws -> Bool {
        try await browser.get(fixture.authorizeURL()).text.contains("name=\"password\"")
    }

    @Test func theIDTokensSidNamesTheSessionAndASecondSignInKeepsIt() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { http in
                let browser = TestBrowser(http)
                let claims = try Inspect.claims(of: try await Self.idToken(fixture, http, browser))
                let sid = try #require(claims["sid"] as? String)
                #expect(sid.count >= 22, "at least 128 bits")
                let sessions = try await runtime.store.activeSessions(
                    tenantID: fixture.tenant.id, userID: try await Self.userID(runtime, fixture), at: Date())
                #expect(sessions.map(\.sid) == [sid])
                #expect(
                    try await runtime.store.sessionClients(tenantID: fixture.tenant.id, sid: sid) == [fixture.clientID])
                // prompt=login in the same browser: the same session, a new auth_time, the same sid.
                let again = try await fixture.code(browser, ["prompt": "login"])
                let second = try #require(
                    try await fixture.redeem(http, code: again).jsonObject()["id_token"] as? String)
                #expect(try Inspect.claims(of: second)["sid"] as? String == sid)
                // Another browser is another session.
                let other = try Inspect.claims(of: try await Self.idToken(fixture, http, TestBrowser(http)))
                #expect(other["sid"] as? String != sid)
                let metadata = try await http.execute(
                    uri: fixture.path + "/.well-known/openid-configuration", method: .get
                ).jsonObject()
                #expect(metadata["backchannel_logout_supported"] as? Bool == true)
                #expect(metadata["backchannel_logout_session_supported"] as? Bool == true)
            }
        }
    }

    @Test func anotherUserSigningInInTheSameBrowserEndsTheSessionItReplaces() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await Self.registerLogoutURI(runtime, fixture)
            let bob = try await runtime.administration.createUser(
                in: fixture.tenant, username: "bob", password: "bob's long password", actor: "test")
            try await ServerFixture.withClient(runtime) { http in
                let browser = TestBrowser(http)
                let aliceSid = try #require(
                    try Inspect.claims(of: try await Self.idToken(fixture, http, browser))["sid"] as? String)
                let login = try await browser.get(fixture.authorizeURL(["prompt": "login"]))
                _ = try await browser.post(
                    fixture.path + "/login",
                    [
                        "csrf_token": try login.input("csrf_token"), "pending": try login.input("pending"),
                        "username": "bob", "password": "bob's long password",
                    ])
                let alice = try await runtime.store.session(tenantID: fixture.tenant.id, sid: aliceSid)
                #expect(alice?.endedAt != nil, "alice's session in this browser is over")
                let bobs = try await runtime.store.activeSessions(
                    tenantID: fixture.tenant.id, userID: bob.id, at: Date())
                #expect(bobs.count == 1 && bobs.first?.sid != aliceSid)
                let queued = try await runtime.store.logoutDeliveries(tenantID: fixture.tenant.id)
                #expect(queued.map(\.sid) == [aliceSid])
            }
        }
    }

    @Test func anEndedSessionsCookieSignsNobodyIn() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { http in
                let browser = TestBrowser(http)
                _ = try await Self.idToken(fixture, http, browser)
                let copied = try #require(browser.cookies["tessera_session"])
                // A copy of the cookie in another browser works while the session lasts...
                let thief = TestBrowser(http)
                thief.set("tessera_session", copied)
                #expect(try await !Self.asksForPassword(thief, fixture))
                // ...and not after the owner signed out on the account page.
                let account = try await browser.get(fixture.path + "/account")
                let signedOut = try await browser.post(
                    fixture.path + "/logout", ["csrf_token": try account.input("csrf_token")])
                #expect(signedOut.status == .ok && browser.cookies["tessera_session"] == nil)
                #expect(try await Self.asksForPassword(thief, fixture))
                #expect(try await thief.get(fixture.path + "/account").text.contains("name=\"password\""))
                // A cookie sealed before sessions had records (no sid) counts as signed out.
                let old = LoginSession(
                    userID: try await Self.userID(runtime, fixture), authTime: Date(),
                    expiresAt: Date().addingTimeInterval(3_600))
                let sealed = try #require(runtime.sealer.seal(old, purpose: .session, tenantID: fixture.tenant.id))
                thief.set("tessera_session", sealed)
                #expect(try await Self.asksForPassword(thief, fixture))
                // prompt=none says so without a page.
                let silent = try await thief.get(fixture.authorizeURL(["prompt": "none"]))
                #expect(try silent.redirectQuery()["error"] == "login_required")
            }
        }
    }

    @Test func theAccountPageListsSessionsAndSignsOutOfOneOrAllOthers() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { http in
                let laptop = TestBrowser(http)
                let phone = TestBrowser(http)
                let tablet = TestBrowser(http)
                var sids: [String] = []
                for browser in [laptop, phone, tablet] {
                    sids.append(
                        try #require(
                            try Inspect.claims(of: try await Self.idToken(fixture, http, browser))["sid"] as? String))
                }
                let page = try await laptop.get(fixture.path + "/account")
                #expect(page.text.contains("Where you are signed in"))
                for sid in sids { #expect(page.text.contains("value=\"\(sid)\"")) }
                #expect(page.text.components(separatedBy: "(this browser)").count == 2, "one marker")
                #expect(page.text.contains("Signed in 20") && page.text.contains("· password"))
                let csrf = try page.input("csrf_token")

                // Without a CSRF token nothing happens; with one, the phone's session ends.
                let forged = try await laptop.post(fixture.path + "/account/sessions/end", ["sid": sids[1]])
                #expect(forged.status == .forbidden)
                #expect(try await !Self.asksForPassword(phone, fixture))
                let ended = try await laptop.post(
                    fixture.path + "/account/sessions/end", ["csrf_token": csrf, "sid": sids[1]])
                #expect(ended.status == .seeOther && ended.location?.hasSuffix("/account") == true)
                #expect(try await Self.asksForPassword(phone, fixture))
                #expect(try await !Self.asksForPassword(laptop, fixture))
                let missing = try await laptop.post(fixture.path + "/account/sessions/end", ["csrf_token": csrf])
                #expect(missing.status == .badRequest)

                // All others: the tablet goes, this browser stays.
                let others = try await laptop.post(fixture.path + "/account/sessions/end-others", ["csrf_token": csrf])
                #expect(others.status == .seeOther)
                #expect(try await Self.asksForPassword(tablet, fixture))
                #expect(try await !Self.asksForPassword(laptop, fixture))
                let left = try await laptop.get(fixture.path + "/account")
                #expect(left.text.contains(sids[0]) && !left.text.contains(sids[2]))
                #expect(!left.text.contains("Sign out of all other sessions"))

                // Its own session from the list: signed out here too.
                let own = try await laptop.post(
                    fixture.path + "/account/sessions/end", ["csrf_token": csrf, "sid": sids[0]])
                #expect(own.status == .ok && laptop.cookies["tessera_session"] == nil)
                #expect(try await Self.asksForPassword(laptop, fixture))
                let audit = try await runtime.store.auditEvents(tenantID: fixture.tenant.id, after: nil, limit: 100)
                #expect(audit.filter { $0.action == .sessionEnd }.count == 3)
            }
        }
    }

    @Test func rpInitiatedLogoutQueuesTokensOnlyForReachedClientsWithABackChannelURI() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            // Both apps register a URI; a third app the session reaches registers none.
            try await Self.registerLogoutURI(runtime, fixture, forOther: true)
            let (plain, plainSecret) = try await runtime.administration.createClient(
                in: fixture.tenant,
                .init(
                    name: "Plain", grants: ["authorization_code"], scopes: ["openid"],
                    redirectURIs: [DelegationFixture.redirectURI]), actor: "test")
            try await ServerFixture.withClient(runtime) { http in
                let browser = TestBrowser(http)
                let idToken = try await Self.idToken(fixture, http, browser)
                let claims = try Inspect.claims(of: idToken)
                let plainCode = try await fixture.code(browser, ["client_id": plain.id, "scope": "openid"])
                let plainBasic = "Basic " + Data("\(plain.id):\(try #require(plainSecret))".utf8).base64EncodedString()
                #expect(try await fixture.redeem(http, code: plainCode, authorization: plainBasic).status == .ok)
                let sid = try #require(claims["sid"] as? String)
                #expect(
                    try await runtime.store.sessionClients(tenantID: fixture.tenant.id, sid: sid).sorted()
                        == [fixture.clientID, plain.id].sorted())
                // Nothing is queued while the session lasts.
                #expect(try await runtime.store.logoutDeliveries(tenantID: fixture.tenant.id).isEmpty)

                let answer = try await browser.get(
                    EndSessionTests.endSession(
                        fixture,
                        ["id_token_hint": idToken, "post_logout_redirect_uri": EndSessionTests.afterLogout]))
                #expect(answer.status == .seeOther)
                let queued = try await runtime.store.logoutDeliveries(tenantID: fixture.tenant.id)
                #expect(
                    queued.map(\.clientID) == [fixture.clientID], "not the unreached app, not the one without a URI")
                #expect(queued.first?.uri == Self.logoutURI && queued.first?.sid == sid)
                #expect(queued.first?.subject == claims["sub"] as? String)
                #expect(try await Self.asksForPassword(browser, fixture))
                // A second sign-out of the ended session queues nothing more.
                _ = try await browser.get(EndSessionTests.endSession(fixture, ["id_token_hint": idToken]))
                #expect(try await runtime.store.logoutDeliveries(tenantID: fixture.tenant.id).count == 1)
            }
        }
    }

    @Test func badBackChannelLogoutURIsAreRefusedAtCreateAndUpdate() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            try await ServerFixture.withClient(runtime) { http in
                let (_, _, token) = try await AdminAPITests.acmeThroughTheAPI(runtime, http)
                let base = "/t/acme/admin/v1/clients"
                let tenant = try #require(try await runtime.store.tenant(slug: TenantSlug("acme")))
                let before = try await runtime.store.clients(tenantID: tenant.id, after: nil, limit: 100).count
                let created = try await AdminAPITests.call(
                    http, .post, base, token: token,
                    json:
                        #"{"name":"App","grant_types":["client_credentials"],"backchannel_logout_uri":"https://app.example.com/bcl","backchannel_logout_session_required":true}"#
                ).jsonObject()
                #expect(created["backchannel_logout_uri"] as? String == "https://app.example.com/bcl")
                #expect(created["backchannel_logout_session_required"] as? Bool == true)
                let id = try #require(created["client_id"] as? String)
                let bad = [
                    "http://app.example.com/bcl", "https://app.example.com/bcl#x", "/relative",
                    "ftp://app.example.com/",
                    "javascript:alert(1)", "https://user:pw@app.example.com/", "not a uri", "https://",
                ]
                for uri in bad {
                    let body =
                        #"{"name":"App","grant_types":["client_credentials"],"backchannel_logout_uri":"\#(uri)"}"#
                    let refused = try await AdminAPITests.call(http, .post, base, token: token, json: body)
                    #expect(refused.status == .unprocessableContent, "\(uri)")
                    let problem = try refused.jsonObject()
                    #expect(
                        (problem["errors"] as? [[String: Any]])?.first?["field"] as? String == "backchannel_logout_uri",
                        "\(uri)")
                    let patched = try await AdminAPITests.call(
                        http, .patch, base + "/" + id, token: token, json: #"{"backchannel_logout_uri":"\#(uri)"}"#,
                        ifMatch: "*")
                    #expect(patched.status == .unprocessableContent, "\(uri)")
                }
                let flagAlone = try await AdminAPITests.call(
                    http, .post, base, token: token,
                    json:
                        #"{"name":"App","grant_types":["client_credentials"],"backchannel_logout_session_required":true}"#
                )
                #expect(flagAlone.status == .unprocessableContent)
                // Nothing was written by the refusals; http on loopback is taken for development.
                #expect(
                    try await runtime.store.clients(tenantID: tenant.id, after: nil, limit: 100).count == before + 1)
                #expect(
                    try await runtime.store.client(tenantID: tenant.id, id: id)?.backchannelLogout?.uri
                        == "https://app.example.com/bcl")
                let loopback = try await AdminAPITests.call(
                    http, .patch, base + "/" + id, token: token,
                    json: #"{"backchannel_logout_uri":"http://127.0.0.1:9999/bcl?x=1"}"#, ifMatch: "*")
                #expect(loopback.status == .ok)
                #expect(try loopback.jsonObject()["backchannel_logout_session_required"] as? Bool == true)
                let removed = try await AdminAPITests.call(
                    http, .patch, base + "/" + id, token: token, json: #"{"backchannel_logout_uri":""}"#, ifMatch: "*")
                #expect(removed.status == .ok)
                let member = try removed.jsonObject()["backchannel_logout_uri"]
                #expect(member == nil || member is NSNull)
            }
        }
    }

    @Test func anotherTenantsSessionIsNeitherListedNorEndedHere() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let acme = try await DelegationFixture.make(runtime)
            let globex = try await DelegationFixture.make(runtime, slug: "globex")
            try await Self.registerLogoutURI(runtime, globex)
            try await ServerFixture.withClient(runtime) { http in
                let acmeBrowser = TestBrowser(http)
                let globexBrowser = TestBrowser(http)
                _ = try await Self.idToken(acme, http, acmeBrowser)
                let globexSid = try #require(
                    try Inspect.claims(of: try await Self.idToken(globex, http, globexBrowser))["sid"] as? String)
                let page = try await acmeBrowser.get(acme.path + "/account")
                #expect(!page.text.contains(globexSid))
                let csrf = try page.input("csrf_token")
                let ended = try await acmeBrowser.post(
                    acme.path + "/account/sessions/end", ["csrf_token": csrf, "sid": globexSid])
                #expect(ended.status == .seeOther)
                _ = try await acmeBrowser.post(acme.path + "/account/sessions/end-others", ["csrf_token": csrf])
                #expect(try await !Self.asksForPassword(globexBrowser, globex))
                #expect(try await runtime.store.logoutDeliveries(tenantID: globex.tenant.id).isEmpty)
                #expect(try await runtime.store.session(tenantID: acme.tenant.id, sid: globexSid) == nil)
                // Acme's sign-out ends acme's session only.
                let account = try await acmeBrowser.get(acme.path + "/account")
                _ = try await acmeBrowser.post(acme.path + "/logout", ["csrf_token": try account.input("csrf_token")])
                #expect(try await !Self.asksForPassword(globexBrowser, globex))
            }
        }
    }

    /// docs/master-key-change.md: while the old master key is only accepted, a session cookie it
    /// sealed is sealed again with the new key on the next page, so the sign-in outlives the old
    /// key; a cookie no page saw in that window signs nobody in once the old key is gone.
    @Test func aSessionCookieSealedWithAnAcceptedKeyIsSealedAgainOnItsNextPage() async throws {
        let url = try await TestDatabases.freshURL(.sqlite)
        let old = MasterKey.generate()
        let new = MasterKey.generate()
        let (fixture, cookies) = try await ServerFixture.withRuntime(url: url, masterKey: old) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            return try await ServerFixture.withClient(runtime) { http in
                let browser = TestBrowser(http)
                _ = try await Self.idToken(fixture, http, browser)
                return (fixture, browser.cookies)
            }
        }
        let oldSession = try #require(cookies["tessera_session"])
        let resealed = try await ServerFixture.withRuntime(
            url: url, masterKey: new, adjust: { $0.acceptedMasterKeys = [old.base64URL] }
        ) { runtime in
            let resealed = try await ServerFixture.withClient(runtime) { http in
                let browser = TestBrowser(http)
                for (name, value) in cookies { browser.set(name, value) }
                #expect(try await !Self.asksForPassword(browser, fixture))
                let session = try #require(browser.cookies["tessera_session"])
                #expect(session != oldSession)
                // Sealed with the sealing key now: the next page leaves it alone.
                _ = try await browser.get(fixture.authorizeURL())
                #expect(browser.cookies["tessera_session"] == session)
                return session
            }
            // Step 3 of the procedure, so that the new key alone opens the stored keys.
            _ = try await runtime.keyManagement.rewrap(actor: "test")
            return resealed
        }
        try await ServerFixture.withRuntime(url: url, masterKey: new) { runtime in
            try await ServerFixture.withClient(runtime) { http async throws in
                let kept = TestBrowser(http)
                kept.set("tessera_session", resealed)
                #expect(try await !Self.asksForPassword(kept, fixture))
                let unseen = TestBrowser(http)
                unseen.set("tessera_session", oldSession)
                #expect(try await Self.asksForPassword(unseen, fixture))
            }
        }
    }
}
