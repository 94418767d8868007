import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TesseraCore
import TesseraOAuth
import TesseraServer
import TesseraTestSupport
import Testing

/// What a tenant or client demands beyond the plain protocol: DPoP nonces (RFC 9449 §8, §9),
/// DPoP-bound clients (§5.2), refresh tokens that do not rotate, and the FAPI 2.0 Security
/// Profile, each refused plain flow with its error and each allowed flow passing.
@Suite("Security profile and sender constraints")
struct SecurityProfileTests {
    static let tokenURL = ServerFixture.issuer + "/token"

    static func post(
        _ http: any TestClientProtocol, _ path: String, _ form: [String: String], authorization: String? = nil,
        dpop: [String] = []
    ) async throws -> TestResponse {
        try await PushedAuthorizationTests.post(http, path, form, authorization: authorization, dpop: dpop)
    }

    static func basic(_ client: Client, _ secret: String?) throws -> String {
        "Basic " + Data("\(client.id):\(try #require(secret))".utf8).base64EncodedString()
    }

    @Test func aTenantThatRequiresNoncesHandsThemOutAndTakesOnlyThem() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let tenant = try await runtime.administration.updateSettings(
                of: try await ServerFixture.acme(runtime), [.dpopNonce: .text("required")], actor: "test")
            let (client, secret) = try await runtime.administration.createClient(
                in: tenant, .init(name: "Svc", grants: ["client_credentials"], scopes: ["openid"]), actor: "test")
            let key = DPoPKey()
            try await ServerFixture.withClient(runtime) { http in
                let form = ["grant_type": "client_credentials"]
                let first = try await Self.post(
                    http, "/t/acme/token", form, authorization: try Self.basic(client, secret),
                    dpop: [try key.proof(key.claims(htu: Self.tokenURL, at: Date()))])
                #expect(first.status == .badRequest)
                #expect(try PushedAuthorizationTests.error(first) == "use_dpop_nonce")
                let nonce = try #require(first.headers[HTTPField.Name("DPoP-Nonce")!])
                // A made-up or another tenant's nonce is the same refusal.
                let forged = try await Self.post(
                    http, "/t/acme/token", form, authorization: try Self.basic(client, secret),
                    dpop: [try key.proof(key.claims(htu: Self.tokenURL, at: Date(), ["nonce": "bm9ub25jZQ"]))])
                #expect(try PushedAuthorizationTests.error(forged) == "use_dpop_nonce")

                let second = try await Self.post(
                    http, "/t/acme/token", form, authorization: try Self.basic(client, secret),
                    dpop: [try key.proof(key.claims(htu: Self.tokenURL, at: Date(), ["nonce": nonce]))])
                #expect(second.status == .ok, "\(second.text)")
                #expect(second.headers[HTTPField.Name("DPoP-Nonce")!] != nil)
                #expect(second.headers[.accessControlExposeHeaders]?.contains("DPoP-Nonce") == true)

                // Bearer requests need no nonce: the rule is about proofs.
                let bearer = try await Self.post(
                    http, "/t/acme/token", form, authorization: try Self.basic(client, secret))
                #expect(bearer.status == .ok)
            }
        }
    }

    @Test func aDPoPBoundClientGetsNoBearerToken() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let tenant = try await ServerFixture.acme(runtime)
            let (client, secret) = try await runtime.administration.createClient(
                in: tenant,
                .init(
                    name: "Bound", grants: ["client_credentials"],
                    requirements: ClientRequirements(dpopBoundAccessTokens: true)),
                actor: "test")
            let key = DPoPKey()
            try await ServerFixture.withClient(runtime) { http in
                let form = ["grant_type": "client_credentials"]
                let bearer = try await Self.post(
                    http, "/t/acme/token", form, authorization: try Self.basic(client, secret))
                #expect(bearer.status == .badRequest)
                #expect(try PushedAuthorizationTests.error(bearer) == "invalid_dpop_proof")
                let bound = try await Self.post(
                    http, "/t/acme/token", form, authorization: try Self.basic(client, secret),
                    dpop: [try key.proof(key.claims(htu: Self.tokenURL, at: Date()))])
                #expect(try bound.jsonObject()["token_type"] as? String == "DPoP")
                // The admin API shows the requirement; the rotation follows the default rule.
                let shown = ClientRepresentation(
                    try await runtime.administration.client(in: tenant, id: client.id), tenant: tenant.slug)
                #expect(shown.dpopBoundAccessTokens && shown.refreshTokenRotation == nil)
                #expect(RefreshTokenRotation.default(for: client) == .reuse)
            }
        }
    }

    @Test func aRefreshTokenThatDoesNotRotateKeepsWorking() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            _ = try await runtime.administration.updateClient(
                in: fixture.tenant, id: fixture.clientID, .init(refreshTokenRotation: .reuse), expectedVersion: nil,
                actor: "test")
            try await ServerFixture.withClient(runtime) { http in
                let code = try await fixture.code(TestBrowser(http), ["scope": "openid orders:read offline_access"])
                let issued = try await fixture.redeem(http, code: code).jsonObject()
                let refresh = try #require(issued["refresh_token"] as? String)
                for _ in 0..<3 {
                    let answer = try await fixture.refresh(http, refresh)
                    #expect(answer.status == .ok, "\(answer.text)")
                    #expect(try answer.jsonObject()["refresh_token"] == nil)
                }
                // It is still revocable, and then dead.
                let revoked = try await Self.post(
                    http, fixture.path + "/revoke", ["token": refresh], authorization: fixture.basic)
                #expect(revoked.status == .ok)
                #expect(try PushedAuthorizationTests.error(try await fixture.refresh(http, refresh)) == "invalid_grant")
            }
            // A public client rotates unless its tokens are DPoP-bound (RFC 9700 §4.14.2).
            await #expect(throws: ValidationError.self) {
                _ = try await runtime.administration.createClient(
                    in: fixture.tenant,
                    .init(
                        name: "Native", isPublic: true, redirectURIs: ["https://app.example.com/cb"],
                        requirements: ClientRequirements(refreshTokenRotation: .reuse)),
                    actor: "test")
            }
        }
    }

    /// A `private_key_jwt` assertion of `clientID` for `audience`, signed by `key` (RFC 7523 §3).
    static func assertion(_ clientID: String, key: DPoPKey, audience: String = ServerFixture.issuer) throws -> String {
        let now = Int(Date().timeIntervalSince1970)
        return try key.proof(
            [
                "iss": clientID, "sub": clientID, "aud": audience, "exp": now + 60, "iat": now,
                "jti": UUID().uuidString,
            ], header: ["alg": "ES256", "kid": "k-1"])
    }

    static func assertionForm(
        _ clientID: String, key: DPoPKey, audience: String = ServerFixture.issuer
    ) throws
        -> [String: String]
    {
        [
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": try assertion(clientID, key: key, audience: audience),
        ]
    }

    @Test func aFAPI2TenantRefusesEveryPlainFlowAndPassesTheProfilesOwn() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            let tenant = try await runtime.administration.updateSettings(
                of: fixture.tenant, [.securityProfile: .text("fapi2")], actor: "test")
            // Settings the profile forbids are refused.
            for change: [TenantSetting: TenantSettingValue] in [
                [.authorizationCodeTTL: 120], [.keyAlgorithm: .algorithm(.rs256)],
            ] {
                await #expect(throws: ValidationError.self) {
                    _ = try await runtime.administration.updateSettings(of: tenant, change, actor: "test")
                }
            }
            let key = DPoPKey()
            let jwk = key.jwk.merging(["kid": "k-1"]) { $1 }
            let jwks = String(decoding: try JSONSerialization.data(withJSONObject: ["keys": [jwk]]), as: UTF8.self)
            let (client, _) = try await runtime.administration.createClient(
                in: tenant,
                .init(
                    name: "Bank app", authMethod: .privateKeyJWT, jwks: jwks,
                    grants: ["authorization_code", "refresh_token"], scopes: ["openid", "orders:read"],
                    redirectURIs: [DelegationFixture.redirectURI]),
                actor: "test")
            let proofKey = DPoPKey()
            try await ServerFixture.withClient(runtime) { http in
                // The metadata tells clients the profile's rules.
                let metadata = try await http.execute(
                    uri: "/t/acme/.well-known/openid-configuration", method: .get
                ).jsonObject()
                #expect(metadata["require_pushed_authorization_requests"] as? Bool == true)
                #expect(metadata["token_endpoint_auth_methods_supported"] as? [String] == ["private_key_jwt"])
                #expect(
                    metadata["dpop_signing_alg_values_supported"] as? [String] == [
                        "PS256", "ES256", "Ed25519", "EdDSA",
                    ])

                // Plain flows: a secret client, a public client, an assertion for the token
                // endpoint URL, and an authorization request that was not pushed.
                let secretClient = try await Self.post(
                    http, "/t/acme/par", PushedAuthorizationTests.request(fixture), authorization: fixture.basic)
                #expect(try PushedAuthorizationTests.error(secretClient) == "invalid_client")
                let unpushed = try await http.execute(
                    uri: fixture.authorizeURL(["client_id": client.id]), method: .get)
                #expect(try unpushed.redirectQuery()["error"] == "invalid_request")
                let tokenAudience = try await Self.post(
                    http, "/t/acme/par",
                    PushedAuthorizationTests.request(fixture).merging(
                        try Self.assertionForm(client.id, key: key, audience: Self.tokenURL)
                    ) { $1 })
                #expect(try PushedAuthorizationTests.error(tokenAudience) == "invalid_client")

                // The profile's flow: pushed with an assertion for the issuer, code, DPoP token.
                let pushed = try await Self.post(
                    http, "/t/acme/par",
                    PushedAuthorizationTests.request(fixture).merging(try Self.assertionForm(client.id, key: key)) {
                        $1
                    })
                #expect(pushed.status == .created, "\(pushed.text)")
                let requestURI = try #require(try pushed.jsonObject()["request_uri"] as? String)
                let browser = TestBrowser(http)
                let code = try await fixture.code(
                    browser,
                    url: PushedAuthorizationTests.authorizeURL(fixture, clientID: client.id, requestURI: requestURI))
                let redeem = [
                    "grant_type": "authorization_code", "code": code, "code_verifier": fixture.verifier,
                    "redirect_uri": DelegationFixture.redirectURI,
                ]
                // Without a proof the code buys nothing: every access token is sender-constrained.
                let bearer = try await Self.post(
                    http, "/t/acme/token", redeem.merging(try Self.assertionForm(client.id, key: key)) { $1 })
                #expect(try PushedAuthorizationTests.error(bearer) == "invalid_dpop_proof")
                // The code was not spent by that refusal (nothing was redeemed before the check).
                let issued = try await Self.post(
                    http, "/t/acme/token", redeem.merging(try Self.assertionForm(client.id, key: key)) { $1 },
                    dpop: [try proofKey.proof(proofKey.claims(htu: Self.tokenURL, at: Date()))])
                #expect(issued.status == .ok, "\(issued.text)")
                let body = try issued.jsonObject()
                #expect(body["token_type"] as? String == "DPoP")
                // FAPI 2.0 §5.3.2.1: a sender-constrained confidential client's refresh token does not rotate.
                let refresh = try #require(body["refresh_token"] as? String)
                let refreshed = try await Self.post(
                    http, "/t/acme/token",
                    ["grant_type": "refresh_token", "refresh_token": refresh].merging(
                        try Self.assertionForm(client.id, key: key)
                    ) { $1 },
                    dpop: [try proofKey.proof(proofKey.claims(htu: Self.tokenURL, at: Date()))])
                #expect(refreshed.status == .ok, "\(refreshed.text)")
                #expect(try refreshed.jsonObject()["refresh_token"] == nil)
            }
        }
    }
}
