import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import TesseraCore
import TesseraOAuth
import TesseraServer
import TesseraTestSupport
import Testing

/// The passkey pages through the routes: what the login, code and account pages carry for the
/// script, that the Content-Security-Policy lets exactly that script run, a whole ceremony
/// through the forms, and the forms' refusals (never a 5xx).
@Suite("Passkey pages")
struct PasskeyPagesTests {
    /// The options a page's button carries, unescaped as a browser reads the attribute.
    static func options(_ page: TestResponse) throws -> [String: Any] {
        let match = try #require(page.text.firstMatch(of: /data-webauthn="([^"]*)"/), "no passkey button")
        let json = String(match.1).replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        return try #require(object["publicKey"] as? [String: Any])
    }

    @Test func theLoginPageCarriesDiscoverableOptionsAndAScriptTheCSPAllows() async throws {
        try await ServerFixture.withRuntime(.sqlite, publicURL: "http://localhost:8080") { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { http in
                let login = try await TestBrowser(http).get(fixture.authorizeURL())
                let options = try Self.options(login)
                #expect(options["rpId"] as? String == runtime.passkeys.relyingParty.id)
                #expect((options["allowCredentials"] as? [Any])?.isEmpty == true)
                #expect(options["userVerification"] as? String == "required")
                #expect((options["challenge"] as? String).flatMap(Base64URL.decode)?.isEmpty == false)
                // The inline script runs only if its hash is the CSP's.
                let script = try #require(login.text.firstMatch(of: /<script>(.*?)<\/script>/.dotMatchesNewlines()))
                let hash = Data(SHA256.hash(data: Array(String(script.1).utf8))).base64EncodedString()
                let csp = try #require(login.headers[.contentSecurityPolicy])
                #expect(csp.contains("script-src 'sha256-\(hash)'"), "\(csp)")
                #expect(csp.contains("default-src 'none'"))
            }
        }
    }

    @Test func aPasskeyAddedOnTheAccountPageSignsInThroughTheForms() async throws {
        try await ServerFixture.withRuntime(.sqlite, publicURL: "http://localhost:8080") { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            let party = runtime.passkeys.relyingParty
            try await ServerFixture.withClient(runtime) { http in
                let browser = TestBrowser(http)
                _ = try await fixture.code(browser)
                let account = try await browser.get(fixture.path + "/account")
                #expect(account.text.contains("Passkeys") && account.text.contains("None yet"))
                let options = try Self.options(account)
                let user = try #require(options["user"] as? [String: Any])
                #expect(user["name"] as? String == "alice")
                let alice = try #require(
                    try await runtime.store.user(tenantID: fixture.tenant.id, username: "alice"))
                #expect(user["id"] as? String == Base64URL.encode(withUnsafeBytes(of: alice.id.uuid) { Array($0) }))
                let selection = try #require(options["authenticatorSelection"] as? [String: Any])
                #expect(selection["residentKey"] as? String == "required")
                var authenticator = TestAuthenticator()
                let registration = authenticator.registration(
                    challenge: try #require(options["challenge"] as? String), rpID: party.id, origin: party.origin)
                let csrf = try account.input("csrf_token")
                let added = try await browser.post(
                    fixture.path + "/account/passkeys",
                    ["csrf_token": csrf, "name": "Work laptop", "credential": registration])
                #expect(added.status == .seeOther)
                let listed = try await browser.get(fixture.path + "/account")
                #expect(listed.text.contains("Work laptop"))
                #expect(try Self.options(listed)["excludeCredentials"] as? [[String: Any]] != nil)

                // A fresh browser: the login page's passkey form, then the code.
                let other = TestBrowser(http)
                let login = try await other.get(fixture.authorizeURL())
                authenticator.userHandle = withUnsafeBytes(of: alice.id.uuid) { Array($0) }
                let assertion = try authenticator.assertion(
                    challenge: try #require(try Self.options(login)["challenge"] as? String), rpID: party.id,
                    origin: party.origin)
                let page = try await other.post(
                    fixture.path + "/login/passkey",
                    [
                        "csrf_token": try login.input("csrf_token"), "pending": try login.input("pending"),
                        "credential": assertion,
                    ])
                // Alice approved the app at her first sign-in: straight back with a code.
                #expect(page.status == .seeOther)
                let code = try #require(try page.redirectQuery()["code"])
                let tokens = try await fixture.redeem(http, code: code).jsonObject()
                let claims = try AuthorizationCodeFlowTests.payload(try #require(tokens["id_token"] as? String))
                #expect(claims["amr"] as? [String] == ["hwk", "user", "mfa"])

                // After the password, the code page offers alice's passkey and no code field.
                let third = TestBrowser(http)
                let again = try await third.get(fixture.authorizeURL())
                let second = try await third.post(
                    fixture.path + "/login",
                    [
                        "csrf_token": try again.input("csrf_token"), "pending": try again.input("pending"),
                        "username": "alice", "password": DelegationFixture.password,
                    ])
                #expect(!second.text.contains("name=\"otp\""))
                let allowed = try #require(try Self.options(second)["allowCredentials"] as? [[String: Any]])
                #expect(allowed.map { $0["id"] as? String } == [Base64URL.encode(authenticator.credentialID)])

                // Removing it: gone from the list, and it signs in no more.
                let removed = try await browser.post(
                    fixture.path + "/account/passkeys/remove",
                    ["csrf_token": csrf, "credential_id": Base64URL.encode(authenticator.credentialID)])
                #expect(removed.status == .seeOther)
                #expect(!(try await browser.get(fixture.path + "/account")).text.contains("Work laptop"))
                let fourth = TestBrowser(http)
                let last = try await fourth.get(fixture.authorizeURL())
                let refused = try await fourth.post(
                    fixture.path + "/login/passkey",
                    [
                        "csrf_token": try last.input("csrf_token"), "pending": try last.input("pending"),
                        "credential": try authenticator.assertion(
                            challenge: try #require(try Self.options(last)["challenge"] as? String), rpID: party.id,
                            origin: party.origin),
                    ])
                #expect(refused.status == .unauthorized && refused.text.contains("name=\"password\""))
            }
        }
    }

    @Test func atAnAddressNoPageOffersPasskeys() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            #expect(!runtime.passkeys.relyingParty.isUsable)
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { http in
                let browser = TestBrowser(http)
                #expect(!(try await browser.get(fixture.authorizeURL())).text.contains("data-webauthn"))
                _ = try await fixture.code(browser)
                let account = try await browser.get(fixture.path + "/account")
                #expect(account.text.contains("Passkeys need this service at a domain name"))
                #expect(!account.text.contains("data-webauthn"))
            }
        }
    }

    @Test func theFormsRefuseBadInputWithoutA5xx() async throws {
        try await ServerFixture.withRuntime(.sqlite, publicURL: "http://localhost:8080") { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { http in
                let browser = TestBrowser(http)
                let login = try await browser.get(fixture.authorizeURL())
                let form = ["csrf_token": try login.input("csrf_token"), "pending": try login.input("pending")]
                for credential in ["", "{", "[]", #"{"type":"public-key"}"#, String(repeating: "a", count: 30_000)] {
                    let answer = try await browser.post(
                        fixture.path + "/login/passkey", form.merging(["credential": credential]) { $1 })
                    #expect(answer.status == .unauthorized, "\(credential.prefix(20))")
                }
                let expired = try await browser.post(
                    fixture.path + "/login/passkey", ["csrf_token": form["csrf_token"] ?? "", "pending": "forged"])
                #expect(expired.status == .badRequest)
                // The account forms need a session, then a well-formed answer and a passkey of the user's.
                #expect(
                    try await browser.post(
                        fixture.path + "/account/passkeys",
                        ["csrf_token": form["csrf_token"] ?? "", "credential": "{}"]
                    ).status == .unauthorized)
                _ = try await fixture.code(browser)
                let csrf = try (try await browser.get(fixture.path + "/account")).input("csrf_token")
                #expect(
                    try await browser.post(
                        fixture.path + "/account/passkeys", ["csrf_token": csrf, "credential": "{}"]
                    )
                    .status == .badRequest)
                #expect(
                    try await browser.post(
                        fixture.path + "/account/passkeys/remove", ["csrf_token": csrf, "credential_id": "%%%"]
                    ).status == .badRequest)
                #expect(
                    try await browser.post(
                        fixture.path + "/account/passkeys/remove", ["csrf_token": csrf, "credential_id": "AAAA"]
                    ).status == .notFound)
            }
        }
    }
}
