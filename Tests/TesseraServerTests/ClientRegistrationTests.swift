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

/// RFC 7591 registration and RFC 7592 management through the routes
/// (docs/dynamic-client-registration.md): who may register, what the policy lets a client have,
/// the RFC 8252 redirect rules, software statements, the configuration endpoint, and that every
/// refusal is the spec's error with nothing written.
@Suite("Dynamic client registration")
struct ClientRegistrationTests {
    static var native: [String: Any] {
        [
            "client_name": "Field Notes", "redirect_uris": ["com.example.notes:/callback", "http://127.0.0.1/cb"],
            "token_endpoint_auth_method": "none", "grant_types": ["authorization_code", "refresh_token"],
            "scope": "openid orders:read",
        ]
    }

    /// acme (DelegationFixture's) with `registration` set to `mode` and orders:read registrable.
    static func tenant(
        _ runtime: TesseraRuntime, mode: String, more: [TenantSetting: TenantSettingValue] = [:]
    )
        async throws -> DelegationFixture
    {
        let fixture = try await DelegationFixture.make(runtime)
        var changes = more
        changes[.registration] = .text(mode)
        _ = try await runtime.administration.updateSettings(of: fixture.tenant, changes, actor: "test")
        var policy = RegistrationPolicy.defaults
        policy.scopes = ["openid", "orders:read"]
        _ = try await runtime.administration.setRegistrationPolicy(
            of: fixture.tenant, policy, expectedVersion: nil, actor: "test")
        await runtime.tenants.reset()
        return fixture
    }

    static func post(
        _ http: any TestClientProtocol, _ body: [String: Any], bearer: String? = nil, path: String = "/t/acme/register"
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let bearer { headers[.authorization] = "Bearer \(bearer)" }
        return try await http.execute(
            uri: path, method: .post, headers: headers,
            body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
    }

    static func registeredCount(_ runtime: TesseraRuntime, _ fixture: DelegationFixture) async throws -> Int {
        try await runtime.store.registeredClientCount(tenantID: fixture.tenant.id)
    }

    /// A token of a fresh admin client of `fixture`'s tenant, for the admin API.
    static func adminToken(
        _ runtime: TesseraRuntime, _ fixture: DelegationFixture, _ http: any TestClientProtocol
    ) async throws -> String {
        let (admin, secret) = try await runtime.administration.createClient(
            in: fixture.tenant, .init(name: "Admin", grants: ["client_credentials"], scopes: ["tessera:admin"]),
            actor: "test")
        return try await AdminAPITests.token(http, "acme", .init(id: admin.id, secret: try #require(secret)))
    }

    /// A public client's code redeemed at acme's token endpoint with its PKCE verifier.
    static func redeemPublic(
        _ http: any TestClientProtocol, code: String, verifier: String, redirectURI: String, clientID: String
    ) async throws -> TestResponse {
        try await http.execute(
            uri: "/t/acme/token", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(
                string: FormBody.encode([
                    "grant_type": "authorization_code", "code": code, "code_verifier": verifier,
                    "redirect_uri": redirectURI, "client_id": clientID,
                ])))
    }

    /// The `error` of a refusal, after checking its status.
    static func error(_ response: TestResponse, status: HTTPResponse.Status) throws -> String? {
        #expect(response.status == status, "\(response.text)")
        #expect(response.headers[.cacheControl] == "no-store")
        return try response.jsonObject()["error"] as? String
    }

    @Test func closedByDefaultWithoutAnEndpointInTheMetadata() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { http in
                let metadata = try await http.execute(
                    uri: "/t/acme/.well-known/openid-configuration", method: .get
                ).jsonObject()
                #expect(metadata["registration_endpoint"] == nil)
                let refused = try await Self.post(http, Self.native)
                #expect(try Self.error(refused, status: .forbidden) == "access_denied")
                #expect(try await Self.registeredCount(runtime, fixture) == 0)
            }
        }
    }

    @Test func anOpenTenantRegistersANativeAppThatThenSignsAUserIn() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await Self.tenant(runtime, mode: "open")
            try await ServerFixture.withClient(runtime) { http in
                let metadata = try await http.execute(
                    uri: "/t/acme/.well-known/openid-configuration", method: .get
                ).jsonObject()
                #expect(metadata["registration_endpoint"] as? String == ServerFixture.issuer + "/register")
                let response = try await Self.post(http, Self.native)
                #expect(response.status == .created, "\(response.text)")
                #expect(response.headers[.cacheControl] == "no-store")
                let body = try response.jsonObject()
                let clientID = try #require(body["client_id"] as? String)
                #expect(body["client_secret"] == nil, "a public client gets no secret")
                #expect(body["token_endpoint_auth_method"] as? String == "none")
                #expect(body["redirect_uris"] as? [String] == Self.native["redirect_uris"] as? [String])
                #expect(body["grant_types"] as? [String] == ["authorization_code", "refresh_token"])
                #expect(body["response_types"] as? [String] == ["code"])
                #expect(body["scope"] as? String == "openid orders:read")
                #expect((body["registration_access_token"] as? String)?.count ?? 0 >= 22)
                #expect(
                    body["registration_client_uri"] as? String == ServerFixture.issuer + "/register/" + clientID)
                #expect(body["client_id_issued_at"] is Int)
                let stored = try #require(try await runtime.store.client(tenantID: fixture.tenant.id, id: clientID))
                #expect(stored.origin == .registration && !stored.verified && stored.lastUsedAt == nil)
                let audit = try await runtime.store.auditEvents(tenantID: fixture.tenant.id, after: nil, limit: 100)
                #expect(
                    audit.contains { $0.action == .clientCreate && $0.target == clientID && $0.actor == "registration" }
                )

                // The code flow with PKCE, as any other public client.
                let verifier = RandomToken.generate(bytes: 32)
                let authorize =
                    "/t/acme/authorize?"
                    + FormBody.encode([
                        "response_type": "code", "client_id": clientID, "redirect_uri": "http://127.0.0.1:5555/cb",
                        "scope": "openid orders:read", "state": "s", "code_challenge": PKCE.challenge(for: verifier),
                        "code_challenge_method": "S256",
                    ])
                // The consent page says where the app lives and that nobody vouched for it.
                let browser = TestBrowser(http)
                let login = try await browser.get(authorize)
                let consent = try await browser.post(
                    "/t/acme/login",
                    [
                        "csrf_token": try login.input("csrf_token"), "pending": try login.input("pending"),
                        "username": DelegationFixture.username, "password": DelegationFixture.password,
                    ])
                #expect(consent.text.contains("no administrator has verified it"), "\(consent.text.prefix(800))")
                let page = try await fixture.signIn(browser, url: authorize)
                let code = try #require(try page.redirectQuery()["code"], "\(page.text.prefix(500))")
                let tokens = try await Self.redeemPublic(
                    http, code: code, verifier: verifier, redirectURI: "http://127.0.0.1:5555/cb", clientID: clientID)
                #expect(tokens.status == .ok, "\(tokens.text)")
                // The token's issuance counts as a use (the purge of unused clients reads it).
                let used = try await runtime.store.client(tenantID: fixture.tenant.id, id: clientID)
                #expect(used?.lastUsedAt != nil)
            }
        }
    }

    @Test func withInitialAccessTokensOnlyAHolderOfALiveOneRegisters() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await Self.tenant(runtime, mode: "initial_access_token")
            let (_, once) = try await runtime.administration.createRegistrationToken(
                in: fixture.tenant, uses: 1, lifetime: 3_600, actor: "test")
            let expired = "expired-" + RandomToken.generate()
            try await runtime.store.insertRegistrationToken(
                RegistrationToken(
                    tenantID: fixture.tenant.id, tokenHash: SecretHash(of: expired), usesLeft: nil,
                    expiresAt: Date().addingTimeInterval(-1), createdAt: Date().addingTimeInterval(-3_600),
                    createdBy: "test"))
            try await ServerFixture.withClient(runtime) { http in
                let missing = try await Self.post(http, Self.native)
                #expect(try Self.error(missing, status: .unauthorized) == "invalid_token")
                #expect(missing.headers[.wwwAuthenticate] == "Bearer realm=\"tessera\"")
                for bad in ["not-a-token", expired] {
                    let refused = try await Self.post(http, Self.native, bearer: bad)
                    #expect(try Self.error(refused, status: .unauthorized) == "invalid_token")
                    #expect(refused.headers[.wwwAuthenticate] == "Bearer realm=\"tessera\", error=\"invalid_token\"")
                }
                #expect(try await Self.registeredCount(runtime, fixture) == 0)
                #expect(try await Self.post(http, Self.native, bearer: once).status == .created)
                let spent = try await Self.post(http, Self.native, bearer: once)
                #expect(try Self.error(spent, status: .unauthorized) == "invalid_token")
                #expect(try await Self.registeredCount(runtime, fixture) == 1)
            }
        }
    }

    @Test(arguments: [
        ("http://app.example.com/cb", "invalid_redirect_uri"),
        ("https://app.example.com/cb#section", "invalid_redirect_uri"),
        ("https://*.example.com/cb", "invalid_redirect_uri"),
        ("http://localhost:8080/cb", "invalid_redirect_uri"),
        ("https://user:pass@app.example.com/cb", "invalid_redirect_uri"),
        ("notes:/callback", "invalid_redirect_uri"),
    ])
    func aRedirectURIThePolicyForbidsIsRefusedAndNothingIsWritten(uri: String, error: String) async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await Self.tenant(runtime, mode: "open")
            try await ServerFixture.withClient(runtime) { http async throws in
                var body = Self.native
                body["redirect_uris"] = [uri]
                #expect(try Self.error(try await Self.post(http, body), status: .badRequest) == error)
                #expect(try await Self.registeredCount(runtime, fixture) == 0)
            }
        }
    }

    /// Members changed in the native app's metadata, as JSON.
    @Test(arguments: [
        #"{"grant_types": ["client_credentials"], "token_endpoint_auth_method": "client_secret_basic"}"#,
        #"{"grant_types": ["urn:ietf:params:oauth:grant-type:token-exchange"]}"#,
        #"{"grant_types": ["password"]}"#,
        #"{"scope": "admin:everything"}"#,
        #"{"scope": "profile"}"#,
        #"{"response_types": ["token"]}"#,
        #"{"response_types": ["code", "id_token"]}"#,
        #"{"grant_types": ["refresh_token"], "response_types": []}"#,
        #"{"token_endpoint_auth_method": "tls_client_auth"}"#,
        #"{"token_endpoint_auth_method": "private_key_jwt"}"#,
        #"{"token_endpoint_auth_method": "private_key_jwt", "jwks_uri": "https://app.example.com/jwks"}"#,
        #"{"client_uri": "http://app.example.com"}"#,
        #"{"redirect_uris": "com.example.notes:/callback"}"#,
        #"{"client_name": 42}"#,
        #"{"contacts": ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"]}"#,
    ])
    func metadataThePolicyOrTheSpecRefusesIsInvalidClientMetadata(changes: String) async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await Self.tenant(runtime, mode: "open")
            try await ServerFixture.withClient(runtime) { http async throws in
                var body = Self.native
                let changed = try #require(try JSONSerialization.jsonObject(with: Data(changes.utf8)) as? [String: Any])
                for (name, value) in changed { body[name] = value }
                #expect(
                    try Self.error(try await Self.post(http, body), status: .badRequest) == "invalid_client_metadata")
                #expect(try await Self.registeredCount(runtime, fixture) == 0)
            }
        }
    }

    @Test func aBodyThatIsNotAJSONObjectIsInvalidClientMetadata() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            _ = try await Self.tenant(runtime, mode: "open")
            try await ServerFixture.withClient(runtime) { http in
                for text in ["", "[]", "{\"client_name\": ", "client_name=x", String(repeating: "x", count: 70_000)] {
                    let response = try await http.execute(
                        uri: "/t/acme/register", method: .post, headers: [.contentType: "application/json"],
                        body: ByteBuffer(string: text))
                    #expect(try Self.error(response, status: .badRequest) == "invalid_client_metadata")
                }
            }
        }
    }

    /// RFC 7591 §3.2.1: the answer says what was registered; scopes beyond the policy are
    /// left out rather than failing the registration, and offline_access comes with refresh.
    @Test func scopesBeyondThePolicyAreLeftOutAndTheAnswerSaysWhatWasRegistered() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            _ = try await Self.tenant(runtime, mode: "open")
            try await ServerFixture.withClient(runtime) { http in
                var body = Self.native
                body["scope"] = "orders:read offline_access admin:everything"
                let response = try await Self.post(http, body)
                #expect(response.status == .created, "\(response.text)")
                #expect(try response.jsonObject()["scope"] as? String == "offline_access orders:read")
                body["scope"] = nil
                #expect(try await Self.post(http, body).jsonObject()["scope"] as? String == "openid orders:read")
            }
        }
    }

    @Test func aConfidentialClientGetsASecretThatAuthenticatesIt() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            _ = try await Self.tenant(runtime, mode: "open")
            try await ServerFixture.withClient(runtime) { http in
                var body = Self.native
                body["token_endpoint_auth_method"] = nil
                body["redirect_uris"] = ["https://notes.example.com/callback"]
                let response = try await Self.post(http, body)
                #expect(response.status == .created, "\(response.text)")
                let information = try response.jsonObject()
                // RFC 7591 §2: client_secret_basic when omitted; §3.2.1: the expiry with the secret.
                #expect(information["token_endpoint_auth_method"] as? String == "client_secret_basic")
                #expect(information["client_secret_expires_at"] as? Int == 0)
                let id = try #require(information["client_id"] as? String)
                let secret = try #require(information["client_secret"] as? String)
                let introspection = try await http.execute(
                    uri: "/t/acme/introspect", method: .post,
                    headers: [
                        .contentType: "application/x-www-form-urlencoded",
                        .authorization: "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString(),
                    ], body: ByteBuffer(string: "token=nothing"))
                #expect(introspection.status == .ok, "\(introspection.text)")
            }
        }
    }

    @Test func softwareStatementsOfTrustedPublishersWinAndOthersAreRefused() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await Self.tenant(runtime, mode: "open")
            let publisher = DPoPKey()
            let stranger = DPoPKey()
            let jwk = publisher.jwk.merging(["kid": "publisher-1", "use": "sig", "alg": "ES256"]) { $1 }
            var policy = try await runtime.administration.registrationPolicy(of: fixture.tenant)
            policy.softwareStatementJWKS = String(
                decoding: try JSONSerialization.data(withJSONObject: ["keys": [jwk]]), as: UTF8.self)
            _ = try await runtime.administration.setRegistrationPolicy(
                of: fixture.tenant, policy, expectedVersion: policy.version, actor: "test")
            @Sendable func statement(
                _ key: DPoPKey, kid: String = "publisher-1", _ claims: [String: Any] = [:]
            ) throws -> String {
                var all: [String: Any] = [
                    "iss": "https://publisher.example.com", "software_id": "notes-4711",
                    "client_name": "Notes (signed)",
                    "iat": Int(Date().timeIntervalSince1970),
                ]
                all.merge(claims) { $1 }
                return try key.proof(all, header: ["alg": "ES256", "typ": "JWT", "kid": kid])
            }
            try await ServerFixture.withClient(runtime) { http in
                var body = Self.native
                body["software_statement"] = try statement(stranger, kid: "someone-else")
                #expect(
                    try Self.error(try await Self.post(http, body), status: .badRequest)
                        == "unapproved_software_statement")
                body["software_statement"] = try statement(stranger)
                #expect(
                    try Self.error(try await Self.post(http, body), status: .badRequest) == "invalid_software_statement"
                )
                body["software_statement"] = "not.a.jwt"
                #expect(
                    try Self.error(try await Self.post(http, body), status: .badRequest) == "invalid_software_statement"
                )
                body["software_statement"] = try statement(publisher, ["exp": Int(Date().timeIntervalSince1970) - 600])
                #expect(
                    try Self.error(try await Self.post(http, body), status: .badRequest) == "invalid_software_statement"
                )
                #expect(try await Self.registeredCount(runtime, fixture) == 0)

                body["software_statement"] = try statement(publisher)
                let response = try await Self.post(http, body)
                #expect(response.status == .created, "\(response.text)")
                let information = try response.jsonObject()
                // RFC 7591 §2.3: the statement's claims take precedence over the request's.
                #expect(information["client_name"] as? String == "Notes (signed)")
                #expect(information["software_id"] as? String == "notes-4711")
            }
        }
    }

    @Test func theConfigurationEndpointReadsReplacesAndDeletesWithItsToken() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await Self.tenant(runtime, mode: "open")
            try await ServerFixture.withClient(runtime) { http in
                let registered = try await Self.post(http, Self.native).jsonObject()
                let id = try #require(registered["client_id"] as? String)
                let token = try #require(registered["registration_access_token"] as? String)
                let other = try await Self.post(http, Self.native).jsonObject()
                let otherToken = try #require(other["registration_access_token"] as? String)
                let uri = "/t/acme/register/" + id
                func call(
                    _ method: HTTPRequest.Method, _ bearer: String?, _ body: [String: Any]? = nil
                ) async throws
                    -> TestResponse
                {
                    var headers: HTTPFields = [.contentType: "application/json"]
                    if let bearer { headers[.authorization] = "Bearer \(bearer)" }
                    return try await http.execute(
                        uri: uri, method: method, headers: headers,
                        body: try body.map { ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: $0)) })
                }
                let read = try await call(.get, token)
                #expect(read.status == .ok, "\(read.text)")
                #expect(try read.jsonObject()["client_name"] as? String == "Field Notes")
                #expect(try read.jsonObject()["registration_access_token"] == nil)
                for bearer in [nil, "wrong", otherToken] {
                    #expect(try Self.error(try await call(.get, bearer), status: .unauthorized) == "invalid_token")
                }
                // An administrator's client has no configuration endpoint: it reads as a bad token.
                let adminURI = "/t/acme/register/" + fixture.clientID
                let admin = try await http.execute(
                    uri: adminURI, method: .get, headers: [.authorization: "Bearer \(token)"])
                #expect(try Self.error(admin, status: .unauthorized) == "invalid_token")

                var replacement = Self.native
                replacement["client_id"] = id
                replacement["client_name"] = "Field Notes 2"
                replacement["redirect_uris"] = ["com.example.notes:/v2/callback"]
                var wrongID = replacement
                wrongID["client_id"] = "someone-else"
                #expect(
                    try Self.error(try await call(.put, token, wrongID), status: .badRequest)
                        == "invalid_client_metadata")
                var serverOnly = replacement
                serverOnly["registration_access_token"] = token
                #expect(
                    try Self.error(try await call(.put, token, serverOnly), status: .badRequest)
                        == "invalid_client_metadata")
                var badURI = replacement
                badURI["redirect_uris"] = ["http://app.example.com/cb"]
                #expect(
                    try Self.error(try await call(.put, token, badURI), status: .badRequest) == "invalid_redirect_uri")
                #expect(
                    try await runtime.store.client(tenantID: fixture.tenant.id, id: id)?.name == "Field Notes",
                    "a refused update changes nothing")

                let updated = try await call(.put, token, replacement)
                #expect(updated.status == .ok, "\(updated.text)")
                let information = try updated.jsonObject()
                #expect(information["client_name"] as? String == "Field Notes 2")
                #expect(information["redirect_uris"] as? [String] == ["com.example.notes:/v2/callback"])
                let rotated = try #require(information["registration_access_token"] as? String)
                #expect(rotated != token)
                #expect(try Self.error(try await call(.get, token), status: .unauthorized) == "invalid_token")
                #expect(try await call(.get, rotated).status == .ok)

                let deleted = try await call(.delete, rotated)
                #expect(deleted.status == .noContent)
                #expect(try await runtime.store.client(tenantID: fixture.tenant.id, id: id) == nil)
                #expect(try Self.error(try await call(.get, rotated), status: .unauthorized) == "invalid_token")
            }
        }
    }

    @Test func theCapAndTheRateLimitHold() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await Self.tenant(runtime, mode: "open", more: [.registrationMaxClients: 2])
            try await ServerFixture.withClient(runtime) { http async throws in
                #expect(try await Self.post(http, Self.native).status == .created)
                #expect(try await Self.post(http, Self.native).status == .created)
                #expect(try Self.error(try await Self.post(http, Self.native), status: .forbidden) == "access_denied")
                #expect(try await Self.registeredCount(runtime, fixture) == 2)
            }
            _ = try await runtime.administration.updateSettings(
                of: try await runtime.administration.tenant("acme"),
                [.registrationRateLimit: 2, .registrationMaxClients: 100], actor: "test")
            await runtime.tenants.reset()
            // Live, so requests come from an address.
            try await buildApplication(runtime: runtime).test(.live) { http in
                var statuses: [Int] = []
                for _ in 0..<4 {
                    let response = try await Self.post(http, Self.native)
                    statuses.append(Int(response.status.code))
                    if response.status == .tooManyRequests { #expect(response.headers[.retryAfter] != nil) }
                }
                #expect(Array(statuses.prefix(2)) == [201, 201] && statuses.contains(429), "\(statuses)")
            }
        }
    }

    @Test(arguments: TestBackend.allCases)
    func unusedRegisteredClientsArePurgedWithTheirTokensAndUsedOnesStay(backend: TestBackend) async throws {
        try await ServerFixture.withRuntime(backend) { runtime in
            let fixture = try await Self.tenant(runtime, mode: "open")
            let ids = try await ServerFixture.withClient(runtime) { http in
                var ids: [String] = []
                for _ in 0..<2 {
                    ids.append(
                        try #require(try await Self.post(http, Self.native).jsonObject()["client_id"] as? String))
                }
                return ids
            }
            // One of them was used a day ago; 90 days (the default) pass.
            let later = Date().addingTimeInterval(91 * 86_400)
            try await runtime.store.recordClientUse(
                tenantID: fixture.tenant.id, id: ids[1], at: later.addingTimeInterval(-86_400))
            let purge = PurgeScheduler(store: runtime.store, interval: .seconds(60), logger: TestDatabases.logger)
            let removed = try #require(try await purge.purgeOnce(now: later))
            #expect(removed["registered_clients"] == 1)
            #expect(try await runtime.store.client(tenantID: fixture.tenant.id, id: ids[0]) == nil)
            #expect(try await runtime.store.client(tenantID: fixture.tenant.id, id: ids[1]) != nil)
            #expect(
                try await runtime.store.client(tenantID: fixture.tenant.id, id: fixture.clientID) != nil,
                "an administrator's client is never purged")
            let audit = try await runtime.store.auditEvents(tenantID: fixture.tenant.id, after: nil, limit: 200)
            #expect(audit.contains { $0.action == .clientDelete && $0.target == ids[0] && $0.actor == "purge" })
        }
    }

    /// The admin API's side (the CLI's is the same `Administration`): initial access tokens
    /// issued once and listed without their value, the policy read with its ETag and replaced
    /// The admin API's protected resources: created, listed, deleted by the identifier
    /// percent-encoded as one path segment; an unknown one is 404, and a deleted one is no
    /// longer an audience any client may ask for.
    @Test func theAdminAPIRegistersListsAndDeletesProtectedResources() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await Self.tenant(runtime, mode: "open")
            try await ServerFixture.withClient(runtime) { http in
                let token = try await Self.adminToken(runtime, fixture, http)
                let base = "/t/acme/admin/v1"
                let identifier = "https://mcp.example/notes"
                let created = try await AdminAPITests.call(
                    http, .post, base + "/resources", token: token,
                    json: #"{"identifier": "https://mcp.example/notes", "name": "Notes", "scopes": ["orders:read"]}"#)
                #expect(created.status == .created, "\(created.text)")
                let listed = try await AdminAPITests.call(http, .get, base + "/resources", token: token)
                #expect(listed.text.contains(identifier))
                let encoded = try #require(identifier.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
                let missing = try await AdminAPITests.call(
                    http, .delete, base + "/resources/https%3A%2F%2Fnowhere.example", token: token)
                #expect(missing.status == .notFound, "\(missing.text)")
                let deleted = try await AdminAPITests.call(http, .delete, base + "/resources/" + encoded, token: token)
                #expect(deleted.status == .noContent, "\(deleted.text)")
                let after = try await AdminAPITests.call(http, .get, base + "/resources", token: token)
                #expect(!after.text.contains(identifier))
                let audit = try await runtime.store.auditEvents(tenantID: fixture.tenant.id, after: nil, limit: 100)
                #expect(audit.contains { $0.action == .resourceDelete && $0.target == identifier })
                #expect(try await runtime.store.tenant(slug: fixture.tenant.slug)?.resources.isEmpty == true)
            }
        }
    }

    /// under If-Match, a registered client verified, and an administrator's refused.
    @Test func theAdminAPIIssuesTokensReplacesThePolicyAndVerifiesClients() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await Self.tenant(runtime, mode: "initial_access_token")
            try await ServerFixture.withClient(runtime) { http in
                let token = try await Self.adminToken(runtime, fixture, http)
                let base = "/t/acme/admin/v1"
                let created = try await AdminAPITests.call(
                    http, .post, base + "/registration-tokens", token: token, json: #"{"uses": 2, "ttl": 600}"#)
                #expect(created.status == .created, "\(created.text)")
                let body = try created.jsonObject()
                let value = try #require(body["token"] as? String)
                #expect(body["uses_left"] as? Int == 2)
                let id = try #require(body["id"] as? String)
                let listed = try await AdminAPITests.call(http, .get, base + "/registration-tokens", token: token)
                #expect(!listed.text.contains(value))
                #expect(listed.text.contains(id))
                let tooLong = try await AdminAPITests.call(
                    http, .post, base + "/registration-tokens", token: token, json: #"{"ttl": 999999999}"#)
                #expect(tooLong.status == .unprocessableContent, "\(tooLong.text)")

                // The token registers; revoked, it does not.
                let registered = try await Self.post(http, Self.native, bearer: value)
                #expect(registered.status == .created)
                let clientID = try #require(try registered.jsonObject()["client_id"] as? String)
                #expect(
                    try await AdminAPITests.call(http, .delete, base + "/registration-tokens/\(id)", token: token)
                        .status
                        == .noContent)
                #expect(try await Self.post(http, Self.native, bearer: value).status == .unauthorized)

                let policy = try await AdminAPITests.call(http, .get, base + "/registration-policy", token: token)
                #expect(policy.status == .ok)
                #expect(try policy.jsonObject()["scopes"] as? [String] == ["openid", "orders:read"])
                let etag = try #require(policy.headers[.eTag])
                let noMatch = try await AdminAPITests.call(
                    http, .put, base + "/registration-policy", token: token, json: #"{"scopes": ["openid"]}"#)
                #expect(noMatch.status == .preconditionRequired)
                let unknown = try await AdminAPITests.call(
                    http, .put, base + "/registration-policy", token: token, json: #"{"scopes": ["nope"]}"#,
                    ifMatch: etag)
                #expect(unknown.status == .unprocessableContent, "\(unknown.text)")
                let exchange = try await AdminAPITests.call(
                    http, .put, base + "/registration-policy", token: token,
                    json: #"{"grant_types": ["urn:ietf:params:oauth:grant-type:token-exchange"]}"#, ifMatch: etag)
                #expect(exchange.status == .unprocessableContent, "\(exchange.text)")
                let replaced = try await AdminAPITests.call(
                    http, .put, base + "/registration-policy", token: token, json: #"{"scopes": ["openid"]}"#,
                    ifMatch: etag)
                #expect(replaced.status == .ok, "\(replaced.text)")
                #expect(
                    try replaced.jsonObject()["grant_types"] as? [String] == ["authorization_code", "refresh_token"])
                let stale = try await AdminAPITests.call(
                    http, .put, base + "/registration-policy", token: token, json: #"{"scopes": ["openid"]}"#,
                    ifMatch: etag)
                #expect(stale.status == .preconditionFailed)

                // The registered client shows its origin, and is verified by PATCH.
                let shown = try await AdminAPITests.call(http, .get, base + "/clients/\(clientID)", token: token)
                #expect(try shown.jsonObject()["origin"] as? String == "registration")
                #expect(try shown.jsonObject()["verified"] as? Bool == false)
                let verified = try await AdminAPITests.call(
                    http, .patch, base + "/clients/\(clientID)", token: token, json: #"{"verified": true}"#,
                    ifMatch: "*")
                #expect(try verified.jsonObject()["verified"] as? Bool == true, "\(verified.text)")
                // Verified, the consent page no longer warns.
                await runtime.clients.invalidate(tenantID: fixture.tenant.id, clientID: clientID)
                let browser = TestBrowser(http)
                let login = try await browser.get(
                    "/t/acme/authorize?"
                        + FormBody.encode([
                            "response_type": "code", "client_id": clientID,
                            "redirect_uri": "com.example.notes:/callback",
                            "scope": "openid", "code_challenge": PKCE.challenge(for: fixture.verifier),
                            "code_challenge_method": "S256",
                        ]))
                let consent = try await browser.post(
                    "/t/acme/login",
                    [
                        "csrf_token": try login.input("csrf_token"), "pending": try login.input("pending"),
                        "username": DelegationFixture.username, "password": DelegationFixture.password,
                    ])
                #expect(consent.text.contains("name=\"decision\""), "\(consent.text.prefix(500))")
                #expect(!consent.text.contains("no administrator has verified"))
                let adminsOwn = try await AdminAPITests.call(
                    http, .patch, base + "/clients/\(fixture.clientID)", token: token, json: #"{"verified": false}"#,
                    ifMatch: "*")
                #expect(adminsOwn.status == .unprocessableContent)
            }
        }
    }

    /// INTERFACE.md: any client, one that registered itself too, may ask for `resource=` a
    /// resource the tenant registered, and the token's `aud` is exactly it; another resource is
    /// `invalid_target` (RFC 8707 §2).
    @Test func aRegisteredClientGetsATokenForARegisteredResourceAndNoOther() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await Self.tenant(runtime, mode: "open")
            let mcp = "https://mcp.example.com/mcp"
            _ = try await runtime.administration.createResource(
                in: try await runtime.administration.tenant("acme"), identifier: mcp, name: "Notes MCP",
                scopes: ["orders:read"], actor: "test")
            for bad in ["ftp://mcp.example.com", "https://mcp.example.com/#x", "http://mcp.example.com/mcp", "mcp"] {
                await #expect(throws: ValidationError.self) {
                    _ = try await runtime.administration.createResource(
                        in: try await runtime.administration.tenant("acme"), identifier: bad, name: nil, scopes: [],
                        actor: "test")
                }
            }
            await #expect(throws: AdministrationError.unknownScope("nope")) {
                _ = try await runtime.administration.createResource(
                    in: try await runtime.administration.tenant("acme"), identifier: "https://other.example.com",
                    name: nil, scopes: ["nope"], actor: "test")
            }
            await runtime.tenants.reset()
            try await ServerFixture.withClient(runtime) { http in
                let registered = try await Self.post(http, Self.native).jsonObject()
                let clientID = try #require(registered["client_id"] as? String)
                let verifier = RandomToken.generate(bytes: 32)
                func authorize(_ resource: String) -> String {
                    "/t/acme/authorize?"
                        + FormBody.encode([
                            "response_type": "code", "client_id": clientID,
                            "redirect_uri": "com.example.notes:/callback",
                            "scope": "orders:read", "code_challenge": PKCE.challenge(for: verifier),
                            "code_challenge_method": "S256", "resource": resource, "state": "s",
                        ])
                }
                let browser = TestBrowser(http)
                let elsewhere = try await fixture.signIn(browser, url: authorize("https://unregistered.example.com"))
                #expect(try elsewhere.redirectQuery()["error"] == "invalid_target", "\(elsewhere.text.prefix(300))")
                let page = try await fixture.signIn(browser, url: authorize(mcp))
                let code = try #require(try page.redirectQuery()["code"], "\(page.text.prefix(300))")
                let tokens = try await http.execute(
                    uri: "/t/acme/token", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(
                        string: FormBody.encode([
                            "grant_type": "authorization_code", "code": code, "code_verifier": verifier,
                            "redirect_uri": "com.example.notes:/callback", "client_id": clientID, "resource": mcp,
                        ])))
                #expect(tokens.status == .ok, "\(tokens.text)")
                let access = try #require(try tokens.jsonObject()["access_token"] as? String)
                let claims = try Inspect.claims(of: access)
                #expect(claims["aud"] as? String == mcp || claims["aud"] as? [String] == [mcp], "\(claims)")
            }
        }
    }
}
