import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TesseraCore
import TesseraOAuth
import TesseraServer
import TesseraTestSupport
import Testing

/// RFC 9101 request objects through the routes: signed by the client's registered key, for this
/// issuer, fresh; their claims are the request; `require_signed_request_object` takes nothing else.
@Suite("Signed request objects")
struct RequestObjectRoutesTests {
    /// A client that registered `key` for its request objects.
    static func signingClient(
        _ runtime: TesseraRuntime, _ fixture: DelegationFixture, key: DPoPKey, requireSigned: Bool = false
    ) async throws -> (Client, basic: String) {
        let jwk = key.jwk.merging(["kid": "req-1", "use": "sig", "alg": "ES256"]) { $1 }
        let jwks = String(decoding: try JSONSerialization.data(withJSONObject: ["keys": [jwk]]), as: UTF8.self)
        let (client, secret) = try await runtime.administration.createClient(
            in: fixture.tenant,
            .init(
                name: "Signer", jwks: jwks, grants: ["authorization_code"], scopes: ["openid", "orders:read"],
                redirectURIs: [DelegationFixture.redirectURI],
                requirements: ClientRequirements(signedRequestObject: requireSigned)),
            actor: "test")
        return (client, "Basic " + Data("\(client.id):\(try #require(secret))".utf8).base64EncodedString())
    }

    /// The claims of a valid request object of `clientID`, with `extra` merged in and `omitting` left out.
    static func claims(
        _ clientID: String, _ fixture: DelegationFixture, _ extra: [String: Any] = [:], omitting: Set<String> = []
    ) -> [String: Any] {
        let now = Int(Date().timeIntervalSince1970)
        var claims: [String: Any] = [
            "iss": clientID, "aud": ServerFixture.issuer, "client_id": clientID, "exp": now + 300, "nbf": now - 5,
            "response_type": "code", "redirect_uri": DelegationFixture.redirectURI, "scope": "openid orders:read",
            "state": "st-signed", "code_challenge": PKCE.challenge(for: fixture.verifier),
            "code_challenge_method": "S256",
        ]
        claims.merge(extra) { $1 }
        for name in omitting { claims[name] = nil }
        return claims
    }

    static func sign(_ claims: [String: Any], with key: DPoPKey, header: [String: Any]? = nil) throws -> String {
        try key.proof(claims, header: header ?? ["alg": "ES256", "typ": "oauth-authz-req+jwt", "kid": "req-1"])
    }

    @Test func aSignedRequestIsTheRequestAtBothEndpoints() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            let key = DPoPKey()
            let (client, basic) = try await Self.signingClient(runtime, fixture, key: key)
            try await ServerFixture.withClient(runtime) { http in
                let browser = TestBrowser(http)
                let object = try Self.sign(Self.claims(client.id, fixture), with: key)
                // At the authorization endpoint; the query's state is not the request's (§5).
                var url =
                    fixture.path + "/authorize?"
                    + FormBody.encode(["client_id": client.id, "request": object, "state": "from-query"])
                let page = try await fixture.signIn(browser, url: url)
                #expect(try page.redirectQuery()["state"] == "st-signed")

                // At the PAR endpoint.
                let pushed = try await PushedAuthorizationTests.post(
                    http, fixture.path + "/par", ["request": try Self.sign(Self.claims(client.id, fixture), with: key)],
                    authorization: basic)
                #expect(pushed.status == .created, "\(pushed.text)")
                let requestURI = try #require(try pushed.jsonObject()["request_uri"] as? String)
                url =
                    fixture.path + "/authorize?" + FormBody.encode(["client_id": client.id, "request_uri": requestURI])
                #expect(try await browser.get(url).redirectQuery()["code"] != nil)
            }
        }
    }

    @Test func everyFlawOfARequestObjectIsInvalidRequestObject() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            let key = DPoPKey()
            let (client, basic) = try await Self.signingClient(runtime, fixture, key: key)
            let now = Int(Date().timeIntervalSince1970)
            let unsigned =
                Base64URL.encode(Array(#"{"alg":"none"}"#.utf8)) + "."
                + Base64URL.encode(try JSONSerialization.data(withJSONObject: Self.claims(client.id, fixture))) + "."
            let flawed: [(String, String)] = [
                (
                    "wrong aud",
                    try Self.sign(Self.claims(client.id, fixture, ["aud": "https://other.example.com"]), with: key)
                ),
                ("wrong iss", try Self.sign(Self.claims(client.id, fixture, ["iss": fixture.clientID]), with: key)),
                ("no iss", try Self.sign(Self.claims(client.id, fixture, omitting: ["iss"]), with: key)),
                ("another key", try Self.sign(Self.claims(client.id, fixture), with: DPoPKey())),
                ("alg none", unsigned),
                (
                    "expired",
                    try Self.sign(Self.claims(client.id, fixture, ["exp": now - 120, "nbf": now - 600]), with: key)
                ),
                ("no exp", try Self.sign(Self.claims(client.id, fixture, omitting: ["exp"]), with: key)),
                (
                    "not yet",
                    try Self.sign(Self.claims(client.id, fixture, ["nbf": now + 600, "exp": now + 900]), with: key)
                ),
                ("two hours", try Self.sign(Self.claims(client.id, fixture, ["exp": now + 7_200]), with: key)),
                (
                    "dpop typ",
                    try Self.sign(
                        Self.claims(client.id, fixture), with: key, header: ["alg": "ES256", "typ": "dpop+jwt"])
                ),
                (
                    "jwk header",
                    try Self.sign(Self.claims(client.id, fixture), with: key, header: ["alg": "ES256", "jwk": key.jwk])
                ),
                ("nested", try Self.sign(Self.claims(client.id, fixture, ["request_uri": "urn:x"]), with: key)),
                (
                    "claims object",
                    try Self.sign(Self.claims(client.id, fixture, ["claims": ["userinfo": [:]]]), with: key)
                ),
            ]
            try await ServerFixture.withClient(runtime) { http in
                for (flaw, object) in flawed {
                    let pushed = try await PushedAuthorizationTests.post(
                        http, fixture.path + "/par", ["request": object], authorization: basic)
                    #expect(pushed.status == .badRequest, "\(flaw)")
                    #expect(try PushedAuthorizationTests.error(pushed) == "invalid_request_object", "\(flaw)")
                    // At the authorization endpoint, with a registered redirect_uri to answer at.
                    let answer = try await http.execute(
                        uri: fixture.path + "/authorize?"
                            + FormBody.encode([
                                "client_id": client.id, "request": object,
                                "redirect_uri": DelegationFixture.redirectURI,
                            ]), method: .get)
                    #expect(try answer.redirectQuery()["error"] == "invalid_request_object", "\(flaw)")
                }
                // A client without registered keys cannot sign requests at all.
                let other = try await PushedAuthorizationTests.post(
                    http, fixture.path + "/par",
                    ["request": try Self.sign(Self.claims(fixture.clientID, fixture), with: key)],
                    authorization: fixture.basic)
                #expect(try PushedAuthorizationTests.error(other) == "invalid_request_object")
            }
        }
    }

    @Test func aClientThatRequiresSignedRequestsSendsNothingElse() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            let key = DPoPKey()
            let (client, basic) = try await Self.signingClient(runtime, fixture, key: key, requireSigned: true)
            try await ServerFixture.withClient(runtime) { http in
                let plain = try await http.execute(
                    uri: fixture.authorizeURL(["client_id": client.id]), method: .get)
                #expect(try plain.redirectQuery()["error"] == "invalid_request")
                let pushed = try await PushedAuthorizationTests.post(
                    http, fixture.path + "/par",
                    PushedAuthorizationTests.request(fixture).merging(["client_id": client.id]) { $1 },
                    authorization: basic)
                #expect(try PushedAuthorizationTests.error(pushed) == "invalid_request")
                let signed = try await PushedAuthorizationTests.post(
                    http, fixture.path + "/par", ["request": try Self.sign(Self.claims(client.id, fixture), with: key)],
                    authorization: basic)
                #expect(signed.status == .created)
            }
        }
    }
}
