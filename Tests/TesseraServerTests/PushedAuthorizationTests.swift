import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TesseraCore
import TesseraOAuth
import TesseraServer
import TesseraTestSupport
import Testing

/// RFC 9126 pushed authorization requests, RFC 9101 request objects and RFC 9449 §10's
/// `dpop_jkt`, through the routes: what is pushed or signed is the request, once, for its
/// client; what a client or tenant requires is the only way in.
@Suite("Pushed and signed authorization requests")
struct PushedAuthorizationTests {
    static let par = "/t/acme/par"

    /// A POST of `fields` with optional DPoP proofs.
    static func post(
        _ http: any TestClientProtocol, _ uri: String, _ fields: [String: String], authorization: String? = nil,
        dpop: [String] = []
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        headers[.authorization] = authorization
        for proof in dpop { headers.append(HTTPField(name: HTTPField.Name("DPoP")!, value: proof)) }
        return try await http.execute(
            uri: uri, method: .post, headers: headers, body: ByteBuffer(string: FormBody.encode(fields)))
    }

    /// The authorization request's parameters, as the fixture's client pushes them.
    static func request(_ fixture: DelegationFixture, _ extra: [String: String] = [:]) -> [String: String] {
        var fields = [
            "response_type": "code", "redirect_uri": DelegationFixture.redirectURI, "scope": "openid orders:read",
            "state": "st-pushed", "code_challenge": PKCE.challenge(for: fixture.verifier),
            "code_challenge_method": "S256",
        ]
        fields.merge(extra) { $1 }
        return fields
    }

    static func authorizeURL(_ fixture: DelegationFixture, clientID: String? = nil, requestURI: String) -> String {
        fixture.path + "/authorize?"
            + FormBody.encode(["client_id": clientID ?? fixture.clientID, "request_uri": requestURI])
    }

    /// Pushes and returns the `request_uri`.
    static func push(
        _ http: any TestClientProtocol, _ fixture: DelegationFixture, _ fields: [String: String],
        authorization: String? = nil, dpop: [String] = []
    ) async throws -> String {
        let answer = try await post(
            http, fixture.path + "/par", fields, authorization: authorization ?? fixture.basic, dpop: dpop)
        #expect(answer.status == .created, "\(answer.text)")
        return try #require(try answer.jsonObject()["request_uri"] as? String)
    }

    static func error(_ response: TestResponse) throws -> String? { try response.jsonObject()["error"] as? String }

    @Test func aPushedRequestIsTheRequestOnceForItsClientOnly() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { http in
                let answer = try await Self.post(http, Self.par, Self.request(fixture), authorization: fixture.basic)
                #expect(answer.status == .created)
                #expect(answer.headers[.cacheControl] == "no-store")
                let body = try answer.jsonObject()
                let requestURI = try #require(body["request_uri"] as? String)
                #expect(requestURI.hasPrefix("urn:ietf:params:oauth:request_uri:"))
                // §7.1: at least 128 bits of randomness after the prefix.
                #expect(requestURI.count - "urn:ietf:params:oauth:request_uri:".count >= 22)
                #expect(body["expires_in"] as? Int == 60)

                // Another client of the tenant cannot spend it, and does not spend it either.
                let browser = TestBrowser(http)
                let foreign = try await browser.get(
                    Self.authorizeURL(fixture, clientID: fixture.otherClientID, requestURI: requestURI))
                #expect(foreign.status == .badRequest)
                #expect(foreign.text.contains("invalid_request_uri"))

                // Its parameters, not the query's: the state comes back from the pushed request.
                let code = try await fixture.code(
                    browser, url: Self.authorizeURL(fixture, requestURI: requestURI) + "&state=from-query")
                #expect(try await fixture.redeem(http, code: code).status == .ok)
                let reused = try await browser.get(Self.authorizeURL(fixture, requestURI: requestURI))
                #expect(reused.status == .badRequest)
                #expect(reused.text.contains("invalid_request_uri"))

                // Expired before use.
                let stale = PushedRequest.generateURI()
                try await runtime.store.insertPushedRequest(
                    PushedRequest(
                        tenantID: fixture.tenant.id, handleHash: SecretHash(of: stale), clientID: fixture.clientID,
                        parameters: "response_type=code", expiresAt: Date().addingTimeInterval(-1)))
                #expect(
                    try await browser.get(Self.authorizeURL(fixture, requestURI: stale)).text.contains(
                        "invalid_request_uri"))
            }
        }
    }

    @Test func theStateOfAPushedRequestIsItsOwn() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { http in
                let requestURI = try await Self.push(http, fixture, Self.request(fixture))
                let browser = TestBrowser(http)
                let page = try await fixture.signIn(
                    browser, url: Self.authorizeURL(fixture, requestURI: requestURI) + "&state=q")
                #expect(try page.redirectQuery()["state"] == "st-pushed")
            }
        }
    }

    @Test func thePushEndpointRefusesWhatTheAuthorizationEndpointWouldAsJSON() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { http in
                let cases: [([String: String], String?, Int, String)] = [
                    (Self.request(fixture), nil, 401, "invalid_client"),
                    (
                        Self.request(fixture), "Basic " + Data("\(fixture.clientID):wrong".utf8).base64EncodedString(),
                        401,
                        "invalid_client"
                    ),
                    (
                        Self.request(fixture, ["request_uri": "urn:ietf:params:oauth:request_uri:x"]), fixture.basic,
                        400,
                        "invalid_request"
                    ),
                    (
                        Self.request(fixture, ["redirect_uri": "https://evil.example.com/cb"]), fixture.basic, 400,
                        "invalid_request"
                    ),
                    (Self.request(fixture, ["code_challenge_method": "plain"]), fixture.basic, 400, "invalid_request"),
                    (
                        Self.request(fixture, ["response_type": "token"]), fixture.basic, 400,
                        "unsupported_response_type"
                    ),
                    (Self.request(fixture, ["scope": "openid orders:write"]), fixture.basic, 400, "invalid_scope"),
                    (
                        Self.request(fixture, ["client_id": fixture.otherClientID]), fixture.basic, 400,
                        "invalid_request"
                    ),
                    (Self.request(fixture, ["request": "not.a.jwt"]), fixture.basic, 400, "invalid_request_object"),
                ]
                for (fields, authorization, status, code) in cases {
                    let answer = try await Self.post(http, Self.par, fields, authorization: authorization)
                    #expect(answer.status.code == status, "\(fields): \(answer.text)")
                    #expect(try Self.error(answer) == code, "\(fields)")
                }
            }
        }
    }

    @Test func aClientOrTenantThatRequiresPushingGetsNothingElse() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            _ = try await runtime.administration.updateClient(
                in: fixture.tenant, id: fixture.clientID, .init(pushedAuthorizationRequests: true),
                expectedVersion: nil, actor: "test")
            try await ServerFixture.withClient(runtime) { http in
                let browser = TestBrowser(http)
                let plain = try await browser.get(fixture.authorizeURL())
                #expect(try plain.redirectQuery()["error"] == "invalid_request")
                let requestURI = try await Self.push(http, fixture, Self.request(fixture))
                _ = try await fixture.code(browser, url: Self.authorizeURL(fixture, requestURI: requestURI))

                // The other client is free, until the tenant requires it of everyone; the
                // metadata says so (RFC 9126 §5).
                let other = fixture.authorizeURL(["client_id": fixture.otherClientID])
                #expect(try await browser.get(other).status == .ok)
                _ = try await runtime.administration.updateSettings(
                    of: fixture.tenant, [.requirePushedAuthorizationRequests: .flag(true)], actor: "test")
                await runtime.tenants.reset()  // what the change feed does at every instance
                #expect(try await browser.get(other).redirectQuery()["error"] == "invalid_request")
                let metadata = try await http.execute(
                    uri: "/t/acme/.well-known/openid-configuration", method: .get
                ).jsonObject()
                #expect(metadata["require_pushed_authorization_requests"] as? Bool == true)
                #expect(metadata["pushed_authorization_request_endpoint"] as? String == ServerFixture.issuer + "/par")
            }
        }
    }

    @Test func aCodeBoundByDPoPJKTGoesOnlyWithAProofByThatKey() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { http in
                let browser = TestBrowser(http)
                let key = DPoPKey()
                let tokenURL = ServerFixture.issuer + "/token"
                let form = [
                    "grant_type": "authorization_code", "code_verifier": fixture.verifier,
                    "redirect_uri": DelegationFixture.redirectURI,
                ]
                // dpop_jkt in the query: no proof, or another key's, burns the code for nothing.
                for proofKey in [nil, DPoPKey()] {
                    let code = try await fixture.code(browser, ["dpop_jkt": key.thumbprint])
                    let proofs = try proofKey.map { [try $0.proof($0.claims(htu: tokenURL, at: Date()))] } ?? []
                    let refused = try await Self.post(
                        http, "/t/acme/token", form.merging(["code": code]) { $1 }, authorization: fixture.basic,
                        dpop: proofs)
                    #expect(try Self.error(refused) == "invalid_grant")
                }
                let code = try await fixture.code(browser, ["dpop_jkt": key.thumbprint])
                let bound = try await Self.post(
                    http, "/t/acme/token", form.merging(["code": code]) { $1 }, authorization: fixture.basic,
                    dpop: [try key.proof(key.claims(htu: tokenURL, at: Date()))])
                #expect(bound.status == .ok, "\(bound.text)")
                #expect(try bound.jsonObject()["token_type"] as? String == "DPoP")

                // RFC 9449 §10.1: a proof at the PAR endpoint binds the code like dpop_jkt; a
                // dpop_jkt that is not its key is refused there.
                let parURL = ServerFixture.issuer + "/par"
                let mismatch = try await Self.post(
                    http, Self.par, Self.request(fixture, ["dpop_jkt": DPoPKey().thumbprint]),
                    authorization: fixture.basic, dpop: [try key.proof(key.claims(htu: parURL, at: Date()))])
                #expect(try Self.error(mismatch) == "invalid_dpop_proof")
                let requestURI = try await Self.push(
                    http, fixture, Self.request(fixture), dpop: [try key.proof(key.claims(htu: parURL, at: Date()))])
                let pushedCode = try await fixture.code(
                    browser, url: Self.authorizeURL(fixture, requestURI: requestURI))
                let unproven = try await Self.post(
                    http, "/t/acme/token", form.merging(["code": pushedCode]) { $1 }, authorization: fixture.basic)
                #expect(try Self.error(unproven) == "invalid_grant")
            }
        }
    }
}
