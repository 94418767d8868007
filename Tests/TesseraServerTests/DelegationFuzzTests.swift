import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TesseraCore
import TesseraOAuth
import TesseraServer
import TesseraTestSupport
import Testing

/// Malformed input at every endpoint of the user flows: the authorization endpoint, the login,
/// consent and account forms, userinfo, and the code and refresh grants. No answer is a 5xx, and
/// a real sign-in still works afterwards.
@Suite("Delegation fuzzing")
struct DelegationFuzzTests {
    @Test func sixHundredMalformedRequestsGetNoServerError() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { client in
                let browser = TestBrowser(client)
                let login = try await browser.get(fixture.authorizeURL())
                let csrf = try login.input("csrf_token")
                let pending = try login.input("pending")
                let browserCookie = try #require(browser.cookies["tessera_browser"])
                var random = MalformedRequestTests.SplitMix64(state: 0x7E55E7A)
                let queryParts = [
                    "response_type=code", "response_type=token", "response_type=", "client_id=\(fixture.clientID)",
                    "client_id=%ff", "redirect_uri=\(FormEncoding.encode(DelegationFixture.redirectURI))",
                    "redirect_uri=javascript:alert(1)", "redirect_uri=%", "scope=openid", "scope=%00",
                    "scope=\(String(repeating: "x", count: 2_000))",
                    "code_challenge=\(PKCE.challenge(for: fixture.verifier))",
                    "code_challenge_method=S256", "code_challenge_method=plain", "prompt=none", "prompt=login%20none",
                    "max_age=-1", "max_age=99999999999999999999", "nonce=\(String(repeating: "n", count: 600))",
                    "state=%E2%80%AE", "resource=https://evil.example.com", "request=x", "&&==", "\u{0}=\u{0}",
                    "request_uri=urn:ietf:params:oauth:request_uri:x", "request_uri=https://x.example.com/r",
                    "request=eyJhbGciOiJub25lIn0.e30.", "request=a.b.c", "dpop_jkt=abc",
                    "dpop_jkt=\(String(repeating: "A", count: 43))",
                ]
                let formParts = [
                    "csrf_token=\(csrf)", "csrf_token=x", "pending=\(pending)", "pending=AAAA", "pending=%ff%fe",
                    "pending=\(String(repeating: "A", count: 9_000))", "username=alice", "username=%00",
                    "password=x", "password=\(String(repeating: "p", count: 5_000))", "decision=approve",
                    "decision=maybe", "client_id=\(fixture.clientID)", "&&&", "=", "%", "otp=123456", "otp=%00",
                    "otp=ABCD-EFGH-JKLM", "offer=AAAA", "offer=\(String(repeating: "A", count: 9_000))",
                    "id_token_hint=a.b.c", "post_logout_redirect_uri=https://evil.example.com", "state=x",
                ]
                let tokenParts = [
                    "grant_type=authorization_code", "grant_type=refresh_token", "code=abc", "code=", "code=%ff",
                    "code_verifier=short", "code_verifier=\(fixture.verifier)", "redirect_uri=x", "refresh_token=a.b.c",
                    "refresh_token=\(String(repeating: "r", count: 3_000))", "scope=openid%20admin", "resource=x",
                ]
                let cookieHeaders = [
                    nil, "tessera_browser=\(browserCookie)",
                    "tessera_browser=\(browserCookie); tessera_session=garbage",
                    "tessera_session=\(String(repeating: "A", count: 4_000))", "tessera_browser=; tessera_session=;",
                    "=;;==", "tessera_browser=\u{7f}",
                ]
                func compose(_ parts: [String]) -> String {
                    (0..<Int.random(in: 0...5, using: &random)).compactMap { _ in parts.randomElement(using: &random) }
                        .joined(separator: "&")
                }
                var statuses: [Int: Int] = [:]
                for index in 0..<600 {
                    var headers = HTTPFields()
                    if let cookie = cookieHeaders.randomElement(using: &random) ?? nil { headers[.cookie] = cookie }
                    let response: TestResponse
                    switch index % 6 {
                    case 0:
                        response = try await client.execute(
                            uri: "/t/acme/authorize?" + compose(queryParts), method: .get, headers: headers)
                    case 1, 2:
                        headers[.contentType] = "application/x-www-form-urlencoded"
                        let path =
                            [
                                "/t/acme/login", "/t/acme/consent", "/t/acme/account/revoke", "/t/acme/logout",
                                "/t/acme/login/otp", "/t/acme/login/enrol", "/t/acme/login/continue",
                                "/t/acme/account/totp", "/t/acme/account/totp/confirm", "/t/acme/account/totp/remove",
                                "/t/acme/end_session", "/t/acme/end_session/confirm", "/t/acme/authorize",
                            ].randomElement(using: &random) ?? "/t/acme/login"
                        response = try await client.execute(
                            uri: path, method: .post, headers: headers, body: ByteBuffer(string: compose(formParts)))
                    case 3:
                        headers[.authorization] = ["Bearer x", "Bearer a.b.c", "Basic x", "Bearer "].randomElement(
                            using: &random)
                        response = try await client.execute(uri: "/t/acme/userinfo", method: .get, headers: headers)
                    case 4:
                        let uri =
                            Bool.random(using: &random)
                            ? "/t/acme/account" : "/t/acme/end_session?" + compose(formParts)
                        response = try await client.execute(uri: uri, method: .get, headers: headers)
                    default:
                        headers[.contentType] = "application/x-www-form-urlencoded"
                        headers[.authorization] = Bool.random(using: &random) ? fixture.basic : nil
                        response = try await client.execute(
                            uri: "/t/acme/token", method: .post, headers: headers,
                            body: ByteBuffer(string: compose(tokenParts)))
                    }
                    statuses[Int(response.status.code), default: 0] += 1
                    #expect(response.status.code < 500, "request \(index) answered \(response.status)")
                }
                #expect(statuses.keys.contains { $0 >= 400 })
                // Still healthy: a whole sign-in and redemption works.
                let code = try await fixture.code(TestBrowser(client))
                #expect(try await fixture.redeem(client, code: code).status == .ok)
            }
        }
    }

    @Test func refreshTokenRevocationRevokesTheFamilyForItsClientOnly() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { client in
                let code = try await fixture.code(TestBrowser(client))
                let refresh = try #require(
                    try await fixture.redeem(client, code: code).jsonObject()["refresh_token"] as? String)
                func revoke(_ authorization: String) async throws -> TestResponse {
                    try await client.execute(
                        uri: "/t/acme/revoke", method: .post,
                        headers: [.authorization: authorization, .contentType: "application/x-www-form-urlencoded"],
                        body: ByteBuffer(
                            string: FormBody.encode(["token": refresh, "token_type_hint": "refresh_token"])))
                }
                let foreign = try await revoke(fixture.otherBasic)
                #expect(foreign.status == .badRequest)
                #expect(try await fixture.introspect(client, refresh)["active"] as? Bool == true)
                // Another client learns nothing by introspecting it either.
                let peek = try await client.execute(
                    uri: "/t/acme/introspect", method: .post,
                    headers: [.authorization: fixture.otherBasic, .contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: FormBody.encode(["token": refresh])))
                #expect(try peek.jsonObject().count == 1)
                #expect(try await revoke(fixture.basic).status == .ok)
                #expect(try await fixture.introspect(client, refresh)["active"] as? Bool == false)
                #expect(try await fixture.refresh(client, refresh).status == .badRequest)
            }
        }
    }

    @Test func privateUseSchemeRedirectsOfNativeAppsWork() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            let (native, _) = try await runtime.administration.createClient(
                in: try await runtime.administration.tenant("acme"),
                Administration.ClientRegistration(
                    name: "Native", isPublic: true, grants: ["authorization_code"], scopes: ["orders:read"],
                    redirectURIs: ["com.example.orders:/oauth2redirect"]),
                actor: "test")
            try await ServerFixture.withClient(runtime) { client in
                let browser = TestBrowser(client)
                let url =
                    "/t/acme/authorize?"
                    + FormBody.encode([
                        "response_type": "code", "client_id": native.id,
                        "redirect_uri": "com.example.orders:/oauth2redirect",
                        "scope": "orders:read", "code_challenge": PKCE.challenge(for: fixture.verifier),
                        "code_challenge_method": "S256",
                    ])
                let login = try await browser.get(url)
                let consent = try await browser.post(
                    "/t/acme/login",
                    [
                        "csrf_token": try login.input("csrf_token"), "pending": try login.input("pending"),
                        "username": "alice", "password": "correct horse battery",
                    ])
                let back = try await browser.post(
                    "/t/acme/consent",
                    [
                        "csrf_token": try consent.input("csrf_token"), "pending": try consent.input("pending"),
                        "decision": "approve",
                    ])
                #expect(back.location?.hasPrefix("com.example.orders:/oauth2redirect?code=") == true)
                let code = try #require(try back.redirectQuery()["code"])
                let token = try await client.execute(
                    uri: "/t/acme/token", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(
                        string: FormBody.encode([
                            "grant_type": "authorization_code", "code": code, "client_id": native.id,
                            "code_verifier": fixture.verifier,
                        ])))
                #expect(token.status == .ok)
                // No refresh_token grant registered: no refresh token.
                #expect(try token.jsonObject()["refresh_token"] == nil)
            }
        }
    }
}
