import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TesseraCore
import TesseraJOSE
import TesseraServer
import TesseraTestSupport
import Testing
import _CryptoExtras

@testable import TesseraOAuth

/// ID tokens signed as each client registered (OIDC Registration §2 `id_token_signed_response_alg`,
/// OIDC Core §15.1: RS256 mandatory), through the routes: the token's header, the JWKS key that
/// verifies it (checked here with swift-crypto from the published JWK alone), discovery, the
/// admin API's refusals, refresh, end-session hints and logout tokens.
@Suite("ID token signing algorithms")
struct IDTokenAlgorithmTests {
    static func segment(_ jwt: String, _ index: Int) throws -> [String: Any] {
        let parts = jwt.split(separator: ".").map(String.init)
        let json = try #require(Base64URL.decode(parts[index]))
        return try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
    }

    /// Registers `algorithm` for the fixture's client, as an admin would, and lets the
    /// in-process runtime load the keys it provisioned (the change feed does it in a server).
    static func register(_ algorithm: String, _ runtime: TesseraRuntime, _ fixture: DelegationFixture) async throws {
        var changes = Administration.ClientChanges()
        changes.idTokenSigningAlgorithm = algorithm
        _ = try await runtime.administration.updateClient(
            in: fixture.tenant, id: fixture.clientID, changes, expectedVersion: nil, actor: "test")
        await runtime.tenants.reset()
    }

    /// The JWK of the JWKS (`GET {issuer}/jwks.json`) whose kid the token names.
    static func publishedKey(
        of token: String, _ http: any TestClientProtocol, _ fixture: DelegationFixture
    ) async throws -> [String: Any] {
        let kid = try #require(try segment(token, 0)["kid"] as? String)
        let jwks = try await http.execute(uri: fixture.path + "/jwks.json", method: .get).jsonObject()
        let keys = try #require(jwks["keys"] as? [[String: Any]])
        return try #require(keys.first { $0["kid"] as? String == kid }, "kid \(kid) is not in the JWKS")
    }

    /// RFC 7518 §3.3: RSASSA-PKCS1-v1_5 with SHA-256 over the signing input, by the JWK's n and e.
    static func verifiesWithRSA(_ token: String, _ jwk: [String: Any]) throws -> Bool {
        let parts = token.split(separator: ".").map(String.init)
        let n = try #require(jwk["n"] as? String)
        let e = try #require(jwk["e"] as? String)
        let modulus = try #require(Base64URL.decode(n))
        let exponent = try #require(Base64URL.decode(e))
        let key = try _RSA.Signing.PublicKey(n: modulus, e: exponent)
        let signatureBytes = try #require(Base64URL.decode(parts[2]))
        let signature = _RSA.Signing.RSASignature(rawRepresentation: signatureBytes)
        return key.isValidSignature(signature, for: Data((parts[0] + "." + parts[1]).utf8), padding: .insecurePKCS1v1_5)
    }

    @Test func anRS256ClientGetsRS256IDTokensByAPublishedRSAKeyAndTheDefaultStaysES256() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await Self.register("RS256", runtime, fixture)
            try await ServerFixture.withClient(runtime) { http in
                let code = try await fixture.code(TestBrowser(http))
                let tokens = try await fixture.redeem(http, code: code).jsonObject()
                let idToken = try #require(tokens["id_token"] as? String)
                let access = try #require(tokens["access_token"] as? String)
                let header = try Self.segment(idToken, 0)
                #expect(header["alg"] as? String == "RS256" && header["typ"] as? String == "JWT")
                let jwk = try await Self.publishedKey(of: idToken, http, fixture)
                #expect(jwk["kty"] as? String == "RSA" && jwk["alg"] as? String == "RS256")
                #expect(try Self.verifiesWithRSA(idToken, jwk))
                // A changed payload does not verify: the check above can fail.
                let parts = idToken.split(separator: ".").map(String.init)
                let forged = parts[0] + "." + Base64URL.encode(Array(#"{"sub":"mallory"}"#.utf8)) + "." + parts[2]
                #expect(try !Self.verifiesWithRSA(forged, jwk))
                // §3.1.3.6: at_hash with RS256's hash; the access token is still the main ES256 key's.
                let claims = try Self.segment(idToken, 1)
                #expect(claims["at_hash"] as? String == IDTokenClaims.atHash(of: access, algorithm: .rs256))
                #expect(try Self.segment(access, 0)["alg"] as? String == "ES256")

                // A refresh issues its ID token with the same algorithm.
                let refreshToken = try #require(tokens["refresh_token"] as? String)
                let refreshed = try await fixture.refresh(http, refreshToken)
                let again = try #require(try refreshed.jsonObject()["id_token"] as? String)
                #expect(try Self.segment(again, 0)["alg"] as? String == "RS256")
                #expect(try Self.verifiesWithRSA(again, try await Self.publishedKey(of: again, http, fixture)))

                // The other app registered nothing: ES256, the tenant's key_algorithm.
                let other = DelegationFixture(
                    tenant: fixture.tenant, clientID: fixture.otherClientID, secret: fixture.otherSecret,
                    otherClientID: fixture.clientID, otherSecret: fixture.secret)
                let otherCode = try await other.code(TestBrowser(http))
                let otherTokens = try await other.redeem(http, code: otherCode).jsonObject()
                let otherID = try #require(otherTokens["id_token"] as? String)
                #expect(try Self.segment(otherID, 0)["alg"] as? String == "ES256")
                #expect(try await Self.publishedKey(of: otherID, http, fixture)["kty"] as? String == "EC")
            }
        }
    }

    @Test func anEd25519ClientGetsEd25519IDTokensWithTheSHA512AtHash() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await Self.register("EdDSA", runtime, fixture)
            try await ServerFixture.withClient(runtime) { http in
                let tokens = try await fixture.redeem(http, code: try await fixture.code(TestBrowser(http)))
                    .jsonObject()
                let idToken = try #require(tokens["id_token"] as? String)
                // RFC 9864: the fully specified name, whatever the operator typed.
                #expect(try Self.segment(idToken, 0)["alg"] as? String == "Ed25519")
                let jwk = try await Self.publishedKey(of: idToken, http, fixture)
                #expect(jwk["kty"] as? String == "OKP" && jwk["crv"] as? String == "Ed25519")
                let parts = idToken.split(separator: ".").map(String.init)
                let x = try #require(jwk["x"] as? String)
                let key = try Curve25519.Signing.PublicKey(rawRepresentation: try #require(Base64URL.decode(x)))
                let signature = try #require(Base64URL.decode(parts[2]))
                #expect(key.isValidSignature(signature, for: Data((parts[0] + "." + parts[1]).utf8)))
                let access = try #require(tokens["access_token"] as? String)
                #expect(
                    try Self.segment(idToken, 1)["at_hash"] as? String
                        == IDTokenClaims.atHash(of: access, algorithm: .edDSA))
            }
        }
    }

    @Test func discoveryListsTheDefaultFirstThenRS256AndEd25519ButNoRS256UnderFAPI2() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { http in
                let path = fixture.path + "/.well-known/openid-configuration"
                let plain = try await http.execute(uri: path, method: .get).jsonObject()
                #expect(plain["id_token_signing_alg_values_supported"] as? [String] == ["ES256", "RS256", "Ed25519"])
                _ = try await runtime.administration.updateSettings(
                    of: fixture.tenant, [.keyAlgorithm: .algorithm(.edDSA)], actor: "test")
                await runtime.tenants.reset()
                let ed = try await http.execute(uri: path, method: .get).jsonObject()
                #expect(ed["id_token_signing_alg_values_supported"] as? [String] == ["Ed25519", "ES256", "RS256"])
                _ = try await runtime.administration.updateSettings(
                    of: try await runtime.administration.tenant("acme"),
                    [.securityProfile: .text("fapi2"), .authorizationCodeTTL: 60], actor: "test")
                await runtime.tenants.reset()
                let fapi = try await http.execute(uri: path, method: .get).jsonObject()
                #expect(fapi["id_token_signing_alg_values_supported"] as? [String] == ["Ed25519", "ES256"])
            }
        }
    }

    @Test func theAdminAPIRefusesNoneAndUnknownAlgorithmsNamingTheMemberAndWritesNothing() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            try await ServerFixture.withClient(runtime) { http in
                let (_, _, token) = try await AdminAPITests.acmeThroughTheAPI(runtime, http)
                let tenant = try await runtime.administration.tenant("acme")
                let keysBefore = try await runtime.store.signingKeys(tenantID: tenant.id)
                let base = "/t/acme/admin/v1/clients"
                for value in ["none", "HS256", "PS512", "rs256", ""] {
                    let answer = try await AdminAPITests.call(
                        http, .post, base, token: token,
                        json:
                            #"{"name":"App","grant_types":["client_credentials"],"id_token_signed_response_alg":"\#(value)"}"#
                    )
                    #expect(answer.status == .unprocessableContent, "\(value): \(answer.text)")
                    let problem = try answer.jsonObject()
                    #expect(
                        (problem["errors"] as? [[String: Any]])?.first?["field"] as? String
                            == "id_token_signed_response_alg", "\(value)")
                }
                #expect(try await runtime.store.clients(tenantID: tenant.id, after: nil, limit: 10).count == 1)
                #expect(try await runtime.store.signingKeys(tenantID: tenant.id) == keysBefore)

                let created = try await AdminAPITests.call(
                    http, .post, base, token: token,
                    json: #"{"name":"App","grant_types":["client_credentials"],"id_token_signed_response_alg":"RS256"}"#
                )
                #expect(created.status == .created, "\(created.text)")
                let client = try created.jsonObject()
                #expect(client["id_token_signed_response_alg"] as? String == "RS256")
                let id = try #require(client["client_id"] as? String)
                let patched = try await AdminAPITests.call(
                    http, .patch, base + "/" + id, token: token, json: #"{"id_token_signed_response_alg":"none"}"#,
                    ifMatch: "*")
                #expect(patched.status == .unprocessableContent, "\(patched.text)")
                #expect(patched.text.contains("always signs ID tokens"))
                let ed = try await AdminAPITests.call(
                    http, .patch, base + "/" + id, token: token, json: #"{"id_token_signed_response_alg":"EdDSA"}"#,
                    ifMatch: "*")
                #expect(try ed.jsonObject()["id_token_signed_response_alg"] as? String == "Ed25519")
                // A client that registered nothing reads null: the tenant's key_algorithm.
                let plain = try await AdminAPITests.call(
                    http, .post, base, token: token, json: #"{"name":"Plain","grant_types":["client_credentials"]}"#)
                #expect(try plain.jsonObject()["id_token_signed_response_alg"] == nil)
                let lines = try await runtime.store.signingKeys(tenantID: tenant.id).filter { $0.line != .main }
                #expect(Set(lines.map(\.line)) == [.idToken(.rs256), .idToken(.edDSA)])
            }
        }
    }

    @Test func aFAPI2TenantRefusesRS256ClientsAndWillNotSignForOneRegisteredBefore() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await Self.register("RS256", runtime, fixture)
            let tenant = try await runtime.administration.updateSettings(
                of: fixture.tenant, [.securityProfile: .text("fapi2"), .authorizationCodeTTL: 60], actor: "test")
            await runtime.tenants.reset()
            var changes = Administration.ClientChanges()
            changes.idTokenSigningAlgorithm = "RS256"
            await #expect(throws: ValidationError.self) {
                _ = try await runtime.administration.updateClient(
                    in: tenant, id: fixture.otherClientID, changes, expectedVersion: nil, actor: "test")
            }
            let client = try #require(try await runtime.store.client(tenantID: tenant.id, id: fixture.clientID))
            let context = try #require(
                try await runtime.tenants.context(slug: "acme", publicURL: runtime.configuration.publicURL))
            #expect(throws: OAuthError.self) { try ClientPolicy(client, at: context).idTokenAlgorithm() }
        }
    }

    /// RP-Initiated Logout §2: a hint signed with any of the tenant's algorithms is one of its ID
    /// tokens; at another tenant, which has an RS256 line of its own, it is nothing.
    @Test func anRS256HintSignsOutHereAndIsNothingAtAnotherTenant() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            let beta = try await DelegationFixture.make(runtime, slug: "beta")
            try await Self.register("RS256", runtime, fixture)
            try await Self.register("RS256", runtime, beta)
            try await ServerFixture.withClient(runtime) { http in
                let (browser, idToken) = try await EndSessionTests.signedIn(runtime, http, fixture)
                #expect(try Self.segment(idToken, 0)["alg"] as? String == "RS256")
                let elsewhere = try await browser.get(
                    beta.path + "/end_session?" + FormBody.encode(["id_token_hint": idToken]))
                #expect(elsewhere.status == .badRequest || elsewhere.text.contains("not an ID token of this service"))
                let betaKeys = try await runtime.tenants.keys(for: beta.tenant)
                #expect(throws: TokenRejection.unknownKey) {
                    _ = try betaKeys.verify(
                        idToken, as: IDTokenHint.self, expectedType: "JWT", issuer: ServerFixture.issuer, now: Date(),
                        leeway: 60)
                }
                let answer = try await browser.get(
                    EndSessionTests.endSession(
                        fixture, ["id_token_hint": idToken, "post_logout_redirect_uri": EndSessionTests.afterLogout]))
                #expect(answer.status == .seeOther)
                #expect(answer.location == EndSessionTests.afterLogout)
                #expect(browser.cookies["tessera_session"] == nil)
            }
        }
    }

    /// Back-Channel Logout 1.0 §2.6: the logout token is signed like the client's ID tokens.
    @Test func aLogoutTokenIsSignedWithTheClientsIDTokenAlgorithm() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await Self.register("RS256", runtime, fixture)
            let sender = BackChannelDeliveryTests.sender(
                runtime, allowLoopback: true, clock: BackChannelDeliveryTests.TestClock())
            func token(for clientID: String) async throws -> String {
                let token = try await sender.token(
                    for: LogoutDelivery(
                        tenantID: fixture.tenant.id, clientID: clientID, uri: "https://app.example.com/bcl",
                        sid: "s-1", subject: "u-1", createdAt: Date(), nextAttemptAt: Date()))
                return try #require(token)
            }
            let rs = try await token(for: fixture.clientID)
            #expect(try Self.segment(rs, 0)["alg"] as? String == "RS256")
            #expect(try Self.segment(rs, 0)["typ"] as? String == "logout+jwt")
            let keys = try await runtime.tenants.keys(for: fixture.tenant)
            #expect(try Self.segment(rs, 0)["kid"] as? String == (try keys.idTokenSigner(for: .rs256)).kid)
            #expect(try Self.segment(try await token(for: fixture.otherClientID), 0)["alg"] as? String == "ES256")
            #expect(try Self.segment(try await token(for: "gone"), 0)["alg"] as? String == "ES256")
        }
    }
}
