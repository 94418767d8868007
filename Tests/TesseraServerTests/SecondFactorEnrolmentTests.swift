import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TesseraCore
import TesseraOAuth
import TesseraServer
import TesseraTestSupport
import Testing

/// Self-enrolment of a TOTP factor on the account page: the offered secret becomes the user's
/// only with a right code, the recovery codes are shown once, the next sign-in asks for a code,
/// and the factor can be turned off. (pyotp checks the codes end to end in SecondFactorTests.)
@Suite("TOTP self-enrolment")
struct SecondFactorEnrolmentTests {
    /// The secret of the setup page's otpauth:// link.
    static func secret(of page: TestResponse) throws -> [UInt8] {
        let match = try #require(page.text.firstMatch(of: /secret=([A-Z2-7]+)/), "no otpauth link")
        return try #require(Self.base32Decode(String(match.1)))
    }

    /// RFC 4648 base32, decoded here independently of the server's encoder.
    static func base32Decode(_ text: String) -> [UInt8]? {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var bits = 0
        var value: UInt32 = 0
        var out: [UInt8] = []
        for character in text {
            guard let index = alphabet.firstIndex(of: character) else { return nil }
            value = (value << 5) | UInt32(index)
            bits += 5
            if bits >= 8 {
                out.append(UInt8((value >> UInt32(bits - 8)) & 0xff))
                bits -= 8
            }
        }
        return out
    }

    @Test func aUserTurnsOnTwoStepSignInAndTheNextSignInAsksForACode() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { http in
                let browser = TestBrowser(http)
                _ = try await fixture.code(browser)
                let account = try await browser.get(fixture.path + "/account")
                #expect(account.text.contains("Set up an authenticator app"))
                let csrf = try account.input("csrf_token")
                // Without the session's CSRF token nothing happens.
                #expect(try await browser.post(fixture.path + "/account/totp", [:]).status == .forbidden)
                let offer = try await browser.post(fixture.path + "/account/totp", ["csrf_token": csrf])
                #expect(offer.status == .ok)
                let secret = try Self.secret(of: offer)
                // A wrong code turns nothing on and offers a new secret.
                let wrong = try await browser.post(
                    fixture.path + "/account/totp/confirm",
                    ["csrf_token": csrf, "offer": try offer.input("offer"), "otp": "000000"])
                #expect(wrong.status == .badRequest)
                #expect(try Self.secret(of: wrong) != secret)
                // A forged pending secret neither.
                let forged = try await browser.post(
                    fixture.path + "/account/totp/confirm", ["csrf_token": csrf, "offer": "AAAA", "otp": "123456"])
                #expect(forged.status == .badRequest)
                #expect(try await runtime.secondFactors.isRequired(for: try Self.alice(runtime, fixture)) == false)

                let fresh = try await browser.post(fixture.path + "/account/totp", ["csrf_token": csrf])
                let freshSecret = try Self.secret(of: fresh)
                let code = TOTP.code(secret: freshSecret, step: TOTP.step(at: Date()))
                let on = try await browser.post(
                    fixture.path + "/account/totp/confirm",
                    ["csrf_token": csrf, "offer": try fresh.input("offer"), "otp": code])
                #expect(on.status == .ok)
                let codes = on.text.matches(of: /<code>([A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4})<\/code>/).map {
                    String($0.1)
                }
                #expect(codes.count == 10)
                #expect(try await browser.get(fixture.path + "/account").text.contains("Turn off two-step sign-in"))

                // Signed out, the password leads to the code page; the code used to confirm is spent.
                browser.forget("tessera_session")
                let login = try await browser.get(fixture.authorizeURL())
                let codePage = try await browser.post(
                    fixture.path + "/login",
                    [
                        "csrf_token": try login.input("csrf_token"), "pending": try login.input("pending"),
                        "username": DelegationFixture.username, "password": DelegationFixture.password,
                    ])
                #expect(codePage.text.contains("name=\"otp\""))
                let spent = try await browser.post(
                    fixture.path + "/login/otp",
                    [
                        "csrf_token": try codePage.input("csrf_token"), "pending": try codePage.input("pending"),
                        "otp": code,
                    ])
                #expect(spent.status == .unauthorized)
                let recovered = try await browser.post(
                    fixture.path + "/login/otp",
                    [
                        "csrf_token": try spent.input("csrf_token"), "pending": try spent.input("pending"),
                        "otp": try #require(codes.first),
                    ])
                #expect(recovered.status == .seeOther, "a recovery code signs in")

                // Turned off: the password alone again.
                let signedIn = try await browser.get(fixture.path + "/account")
                let off = try await browser.post(
                    fixture.path + "/account/totp/remove", ["csrf_token": try signedIn.input("csrf_token")])
                #expect(off.status == .seeOther)
                #expect(try await runtime.secondFactors.isRequired(for: try Self.alice(runtime, fixture)) == false)
            }
        }
    }

    static func alice(_ runtime: TesseraRuntime, _ fixture: DelegationFixture) async throws -> User {
        try #require(try await runtime.store.user(tenantID: fixture.tenant.id, username: "alice"))
    }
}

extension SecondFactorEnrolmentTests {
    /// `mfa = required`: a user without a factor sets one up inside the sign-in, which then
    /// continues to the client; `mfa = off`: nobody is asked, even with a factor.
    @Test func aRequiredSecondFactorIsEnrolledBeforeTheSignInEnds() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            _ = try await runtime.administration.updateSettings(
                of: fixture.tenant, [.mfa: .text("required")], actor: "test")
            await runtime.tenants.reset()
            try await ServerFixture.withClient(runtime) { http in
                let browser = TestBrowser(http)
                let login = try await browser.get(fixture.authorizeURL())
                let setup = try await browser.post(
                    fixture.path + "/login",
                    [
                        "csrf_token": try login.input("csrf_token"), "pending": try login.input("pending"),
                        "username": DelegationFixture.username, "password": DelegationFixture.password,
                    ])
                #expect(setup.text.contains("Set up an authenticator app"), "\(setup.text)")
                #expect(browser.cookies["tessera_session"] == nil, "not signed in before the factor exists")
                let secret = try Self.secret(of: setup)
                let fields = { (page: TestResponse, otp: String) throws -> [String: String] in
                    [
                        "csrf_token": try page.input("csrf_token"), "pending": try page.input("pending"),
                        "offer": try page.input("offer"), "otp": otp,
                    ]
                }
                let wrong = try await browser.post(fixture.path + "/login/enrol", try fields(setup, "000000"))
                #expect(wrong.status == .badRequest)
                let retrySecret = try Self.secret(of: wrong)
                let codes = try await browser.post(
                    fixture.path + "/login/enrol",
                    try fields(wrong, TOTP.code(secret: retrySecret, step: TOTP.step(at: Date()))))
                #expect(codes.status == .ok)
                #expect(codes.text.matches(of: /<code>[A-Z2-7-]{14}<\/code>/).count == 10)
                #expect(secret != retrySecret)
                // A made-up continue form does nothing; the real one ends the sign-in.
                let forgedContinue = try await browser.post(
                    fixture.path + "/login/continue",
                    ["csrf_token": try codes.input("csrf_token"), "pending": try setup.input("pending")])
                #expect(forgedContinue.status == .badRequest)
                let continued = try await browser.post(
                    fixture.path + "/login/continue",
                    ["csrf_token": try codes.input("csrf_token"), "pending": try codes.input("pending")])
                #expect(continued.text.contains("name=\"decision\""), "on to consent")
                #expect(browser.cookies["tessera_session"] != nil)
                // Required: the account page offers no way to turn it off.
                #expect(!(try await browser.get(fixture.path + "/account").text.contains("Turn off")))

                // mfa = off: the password alone, though alice has a factor.
                _ = try await runtime.administration.updateSettings(
                    of: try await runtime.administration.tenant("acme"), [.mfa: .text("off")], actor: "test")
                await runtime.tenants.reset()
                let other = TestBrowser(http)
                let again = try await other.get(fixture.authorizeURL())
                let afterPassword = try await other.post(
                    fixture.path + "/login",
                    [
                        "csrf_token": try again.input("csrf_token"), "pending": try again.input("pending"),
                        "username": DelegationFixture.username, "password": DelegationFixture.password,
                    ])
                #expect(!afterPassword.text.contains("name=\"otp\""))
                #expect(other.cookies["tessera_session"] != nil)
            }
        }
    }
}

extension SecondFactorEnrolmentTests {
    /// OIDC Core §3.1.2.1 `acr_values`: asking for two factors steps a password-only session up
    /// to the code page; the ID token says which class was met (`acr`) and how (`amr`).
    @Test func acrValuesStepASignedInUserUpToTheirSecondFactor() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { http in
                let browser = TestBrowser(http)
                // One factor asked for, one given: no step-up, and the ID token says 1fa.
                let oneFactor = try await fixture.code(browser, ["acr_values": "urn:tessera:acr:1fa"])
                let first = try await fixture.redeem(http, code: oneFactor).jsonObject()
                let firstClaims = try Inspect.claims(of: try #require(first["id_token"] as? String))
                #expect(firstClaims["acr"] as? String == "urn:tessera:acr:1fa")
                #expect(firstClaims["amr"] as? [String] == ["pwd"])

                // alice gets a factor from the help desk; her session still has one.
                let enrolment = try await runtime.secondFactors.enrolTOTP(
                    for: try Self.alice(runtime, fixture), in: fixture.tenant, issuerName: "Acme", confirmed: true)
                let secretText = try #require(enrolment.uri.firstMatch(of: /secret=([A-Z2-7]+)/)?.1)
                let secret = try #require(Self.base32Decode(String(secretText)))
                let silent = try await browser.get(
                    fixture.authorizeURL(["acr_values": "urn:tessera:acr:2fa", "prompt": "none"]))
                #expect(try silent.redirectQuery()["error"] == "interaction_required")
                let stepUp = try await browser.get(fixture.authorizeURL(["acr_values": "urn:tessera:acr:2fa"]))
                #expect(stepUp.text.contains("name=\"otp\""), "the code page, not the password again")
                #expect(!stepUp.text.contains("name=\"password\""))
                let done = try await browser.post(
                    fixture.path + "/login/otp",
                    [
                        "csrf_token": try stepUp.input("csrf_token"), "pending": try stepUp.input("pending"),
                        "otp": TOTP.code(secret: secret, step: TOTP.step(at: Date())),
                    ])
                let code = try #require(try done.redirectQuery()["code"], "\(done.status) \(done.text)")
                let second = try await fixture.redeem(http, code: code).jsonObject()
                let secondClaims = try Inspect.claims(of: try #require(second["id_token"] as? String))
                #expect(secondClaims["acr"] as? String == "urn:tessera:acr:2fa")
                #expect(secondClaims["amr"] as? [String] == ["pwd", "otp", "mfa"])
                // RFC 9068 §2.2.1: the access token says it too, for resource servers (RFC 9470).
                let access = try Inspect.claims(of: try #require(second["access_token"] as? String))
                #expect(access["acr"] as? String == "urn:tessera:acr:2fa")
                #expect(access["amr"] as? [String] == ["pwd", "otp", "mfa"])
                // OIDC Core §12.2: a refresh re-authenticates nobody; its tokens say how the
                // family's sign-in was made, and so does the next rotation's.
                var refreshToken = try #require(second["refresh_token"] as? String)
                for _ in 0..<2 {
                    let refreshed = try await fixture.refresh(http, refreshToken).jsonObject()
                    let refreshedAccess = try Inspect.claims(of: try #require(refreshed["access_token"] as? String))
                    #expect(refreshedAccess["amr"] as? [String] == ["pwd", "otp", "mfa"])
                    #expect(refreshedAccess["acr"] as? String == "urn:tessera:acr:2fa")
                    let refreshedID = try Inspect.claims(of: try #require(refreshed["id_token"] as? String))
                    #expect(refreshedID["amr"] as? [String] == ["pwd", "otp", "mfa"])
                    #expect(refreshedID["acr"] as? String == "urn:tessera:acr:2fa")
                    refreshToken = try #require(refreshed["refresh_token"] as? String)
                }
                // Without acr_values the ID token names no acr (INTERFACE.md).
                let plain = try await fixture.redeem(http, code: try await fixture.code(browser)).jsonObject()
                #expect(try Inspect.claims(of: try #require(plain["id_token"] as? String))["acr"] == nil)

                let metadata = try await http.execute(
                    uri: fixture.path + "/.well-known/openid-configuration", method: .get
                ).jsonObject()
                #expect(
                    metadata["acr_values_supported"] as? [String] == ["urn:tessera:acr:1fa", "urn:tessera:acr:2fa"])
            }
        }
    }
}

extension ClientRequirements {
    func requiring(_ context: AuthenticationContext) -> ClientRequirements {
        var changed = self
        changed.requiredContext = context
        return changed
    }
}

extension SecondFactorEnrolmentTests {
    /// A client registered with `required_acr = 2fa`: every sign-in for it has two factors, asked
    /// or not, and at a tenant without second factors it gets none at all.
    @Test func aClientThatRequiresTwoFactorsGetsNoSignInWithOne() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            var changes = Administration.ClientChanges()
            changes.requiredContext = .twoFactors
            _ = try await runtime.administration.updateClient(
                in: fixture.tenant, id: fixture.clientID, changes, expectedVersion: nil, actor: "test")
            try await ServerFixture.withClient(runtime) { http in
                let browser = TestBrowser(http)
                let login = try await browser.get(fixture.authorizeURL())
                let next = try await browser.post(
                    fixture.path + "/login",
                    [
                        "csrf_token": try login.input("csrf_token"), "pending": try login.input("pending"),
                        "username": DelegationFixture.username, "password": DelegationFixture.password,
                    ])
                #expect(next.text.contains("Set up an authenticator app"), "no factor yet: its setup first")
                #expect(next.headers[.location] == nil)

                _ = try await runtime.administration.updateSettings(
                    of: fixture.tenant, [.mfa: .text("off")], actor: "test")
                await runtime.tenants.reset()
                let refused = try await browser.get(fixture.authorizeURL())
                #expect(try refused.redirectQuery()["error"] == "access_denied")
            }
        }
    }
}
