import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Synchronization
import TesseraCore
import TesseraJOSE
import TesseraServer
import TesseraTestSupport
import Testing

@testable import TesseraOAuth

/// Client ID metadata documents (docs/client-id-metadata-documents.md) through the routes: a
/// document served over https on loopback (its certificate trusted by TESSERA_OUTBOUND_CA_FILE,
/// loopback allowed as in development) identifies a client through the whole code flow; every
/// document the draft refuses stops the request with nothing stored; and addresses the fetch
/// must never reach are refused with a listener that stays silent.
@Suite("Client ID metadata documents")
struct ClientIDMetadataDocumentTests {
    static let redirectURI = "http://127.0.0.1:5555/cb"

    static func document(_ clientID: String, _ extra: [String: Any] = [:]) -> String {
        var members: [String: Any] = [
            "client_id": clientID, "client_name": "Notes Agent", "redirect_uris": [redirectURI],
            "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
            "token_endpoint_auth_method": "none", "scope": "openid orders:read",
        ]
        members.merge(extra) { _, new in new }
        let data = (try? JSONSerialization.data(withJSONObject: members, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// A runtime whose fetches trust `server`'s certificate; loopback allowed unless `strict`.
    static func withRuntime(
        trusting server: LoopbackTLSServer, strict: Bool = false, _ body: (TesseraRuntime) async throws -> Void
    ) async throws {
        let caFile = FileManager.default.temporaryDirectory.appendingPathComponent("cimd-ca-\(UUID()).pem")
        try Data(server.certificatePEM).write(to: caFile)
        defer { try? FileManager.default.removeItem(at: caFile) }
        try await ServerFixture.withRuntime(
            url: try await TestDatabases.freshURL(.sqlite), masterKey: MasterKey.generate(),
            adjust: {
                $0.outboundAllowLoopback = !strict
                $0.outboundCAFile = caFile.path
            }, body)
    }

    /// acme with documents accepted (unless `documents` is false) and orders:read registrable.
    static func tenant(_ runtime: TesseraRuntime, documents: Bool = true) async throws -> DelegationFixture {
        let fixture = try await DelegationFixture.make(runtime)
        _ = try await runtime.administration.updateSettings(
            of: fixture.tenant, [.clientIDMetadataDocuments: .flag(documents)], actor: "test")
        var policy = RegistrationPolicy.defaults
        policy.scopes = ["openid", "orders:read"]
        _ = try await runtime.administration.setRegistrationPolicy(
            of: fixture.tenant, policy, expectedVersion: nil, actor: "test")
        await runtime.tenants.reset()
        return fixture
    }

    /// The claims of a compact JWS, read without Tessera's code.
    static func payload(of token: String) throws -> [String: Any] {
        let parts = token.split(separator: ".")
        var text = String(parts.count == 3 ? parts[1] : "").replacingOccurrences(of: "-", with: "+")
            .replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        let data = try #require(Data(base64Encoded: text))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func authorizeURL(_ clientID: String, verifier: String) -> String {
        "/t/acme/authorize?"
            + FormBody.encode([
                "response_type": "code", "client_id": clientID, "redirect_uri": redirectURI,
                "scope": "openid orders:read", "state": "s", "code_challenge": PKCE.challenge(for: verifier),
                "code_challenge_method": "S256",
            ])
    }

    static func tokenRequest(_ http: any TestClientProtocol, clientID: String) async throws -> TestResponse {
        try await http.execute(
            uri: "/t/acme/token", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(
                string: FormBody.encode([
                    "grant_type": "authorization_code", "code": "nope",
                    "code_verifier": String(repeating: "v", count: 43),
                    "redirect_uri": redirectURI, "client_id": clientID,
                ])))
    }

    @Test func aDocumentIdentifiesAClientThroughTheCodeFlow() async throws {
        let path = "/agents/notes/client.json"
        let clientID = Mutex("")
        let server = try await LoopbackTLSServer { _ in
            .json(Self.document(clientID.withLock { $0 }), headers: [("Cache-Control", "max-age=300")])
        }
        clientID.withLock { $0 = server.url + path }
        let id = server.url + path
        try await Self.withRuntime(trusting: server) { runtime in
            let fixture = try await Self.tenant(runtime)
            try await ServerFixture.withClient(runtime) { http in
                let metadata = try await http.execute(
                    uri: "/t/acme/.well-known/openid-configuration", method: .get
                ).jsonObject()
                #expect(metadata["client_id_metadata_document_supported"] as? Bool == true)

                let verifier = RandomToken.generate(bytes: 32)
                let browser = TestBrowser(http)
                let login = try await browser.get(Self.authorizeURL(id, verifier: verifier))
                #expect(login.status == .ok, "\(login.text.prefix(500))")
                let consent = try await browser.post(
                    "/t/acme/login",
                    [
                        "csrf_token": try login.input("csrf_token"), "pending": try login.input("pending"),
                        "username": DelegationFixture.username, "password": DelegationFixture.password,
                    ])
                // The page names the host that serves the document, and that nobody vouched for it.
                #expect(consent.text.contains("Notes Agent"))
                #expect(consent.text.contains("An app at <strong>127.0.0.1</strong>"), "\(consent.text.prefix(800))")
                #expect(consent.text.contains("no administrator has verified it"))
                let page = try await fixture.signIn(browser, url: Self.authorizeURL(id, verifier: verifier))
                let code = try #require(try page.redirectQuery()["code"], "\(page.text.prefix(500))")
                let tokens = try await ClientRegistrationTests.redeemPublic(
                    http, code: code, verifier: verifier, redirectURI: Self.redirectURI, clientID: id)
                #expect(tokens.status == .ok, "\(tokens.text)")
                let body = try tokens.jsonObject()
                let claims = try Self.payload(of: try #require(body["access_token"] as? String))
                #expect(claims["client_id"] as? String == id)
                let refresh = try #require(body["refresh_token"] as? String)

                // The account page lists the agent with where it lives; removing it ends its
                // refresh tokens at once.
                let account = try await browser.get("/t/acme/account")
                #expect(account.text.contains("Notes Agent"))
                #expect(
                    account.text.contains("An app at 127.0.0.1, not verified by Acme"), "\(account.text.suffix(1_500))")
                let removed = try await browser.post(
                    "/t/acme/account/revoke",
                    ["csrf_token": try account.input("csrf_token"), "client_id": try account.input("client_id")])
                #expect(removed.status == .seeOther)
                let refreshed = try await http.execute(
                    uri: "/t/acme/token", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(
                        string: FormBody.encode([
                            "grant_type": "refresh_token", "refresh_token": refresh, "client_id": id,
                        ])))
                #expect(refreshed.status == .badRequest, "\(refreshed.text)")
                #expect(try refreshed.jsonObject()["error"] as? String == "invalid_grant")
                #expect(!(try await browser.get("/t/acme/account")).text.contains("Notes Agent"))
            }
            // Stored once, as a client of origin metadata_document, audited; fetched once within max-age.
            let stored = try #require(try await runtime.store.client(tenantID: runtime.acmeID(), id: id))
            #expect(stored.origin == .metadataDocument && !stored.verified && stored.authMethod == .none)
            #expect(stored.name == "Notes Agent")
            let audit = try await runtime.store.auditEvents(tenantID: stored.tenantID, after: nil, limit: 100)
            #expect(audit.contains { $0.action == .clientCreate && $0.target == id && $0.actor == "metadata_document" })
            #expect(server.received.count == 1, "\(server.received.map(\.target))")
            #expect(server.received.first?.target == path)
        }
        await server.stop()
    }

    @Test func offByDefaultNothingIsFetched() async throws {
        let server = try await LoopbackTLSServer { _ in .json("{}") }
        try await Self.withRuntime(trusting: server) { runtime in
            _ = try await Self.tenant(runtime, documents: false)
            try await ServerFixture.withClient(runtime) { http in
                let metadata = try await http.execute(
                    uri: "/t/acme/.well-known/openid-configuration", method: .get
                ).jsonObject()
                #expect(metadata["client_id_metadata_document_supported"] == nil)
                let id = server.url + "/client.json"
                let page = try await http.execute(
                    uri: Self.authorizeURL(id, verifier: RandomToken.generate(bytes: 32)), method: .get)
                #expect(page.status == .badRequest, "\(page.text.prefix(300))")
                #expect(page.text.contains("not registered"))
                let token = try await Self.tokenRequest(http, clientID: id)
                #expect(token.status == .unauthorized)
                #expect(try token.jsonObject()["error"] as? String == "invalid_client")
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        #expect(server.connections == 0)
        await server.stop()
    }

    /// What the draft refuses, each answered at the authorization endpoint with a page (never a
    /// redirect: the redirect URIs are not known) and at the token endpoint with invalid_client;
    /// no client is stored. The JSON holds the server's answer; `{id}` is the document's URL.
    @Test(arguments: [
        #"{"why":"client_id differs","body":"{\"client_id\":\"https://elsewhere.example/client.json\",\"redirect_uris\":[\"http://127.0.0.1:5555/cb\"],\"token_endpoint_auth_method\":\"none\"}","expect":"not the URL"}"#,
        #"{"why":"too large","pad":6000,"expect":"larger than 5120 bytes"}"#,
        #"{"why":"a redirect","status":302,"location":true,"expect":"redirect (302)"}"#,
        #"{"why":"not found","status":404,"expect":"HTTP 404"}"#,
        #"{"why":"not JSON","body":"<html></html>","expect":"not a JSON object"}"#,
        #"{"why":"a secret","extra":{"client_secret":"s3cret"},"expect":"must not contain client_secret"}"#,
        #"{"why":"a shared-secret method","extra":{"token_endpoint_auth_method":"client_secret_basic"},"expect":"token_endpoint_auth_method must be one of none, private_key_jwt"}"#,
        #"{"why":"private_key_jwt without keys","extra":{"token_endpoint_auth_method":"private_key_jwt"},"expect":"public keys (jwks or jwks_uri)"}"#,
        #"{"why":"a fragment in a redirect URI","extra":{"redirect_uris":["https://app.example/cb#x"]},"expect":"fragment"}"#,
        #"{"why":"a wildcard redirect URI","extra":{"redirect_uris":["https://*.example/cb"]},"expect":"wildcards"}"#,
        #"{"why":"http on a public host","extra":{"redirect_uris":["http://app.example/cb"]},"expect":"redirect"}"#,
    ])
    func refusedDocumentsStoreNothing(_ json: String) async throws {
        @Sendable func parse() -> [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]) ?? [:]
        }
        let testCase = parse()
        let why = testCase["why"] as? String ?? ""
        let elsewhere = try await LoopbackTLSServer { _ in .json("{}") }
        let elsewhereURL = elsewhere.url
        let idBox = Mutex("")
        let server = try await LoopbackTLSServer { _ in
            let testCase = parse()
            let elsewhere = (url: elsewhereURL, ())
            let id = idBox.withLock { $0 }
            if let status = testCase["status"] as? Int {
                return LoopbackTLSServer.Answer(
                    status: status,
                    headers: testCase["location"] != nil ? [("Location", elsewhere.url + "/c.json")] : [],
                    body: "")
            }
            if let pad = testCase["pad"] as? Int {
                return .json(
                    Self.document(id, ["client_uri": "https://notes.example/" + String(repeating: "x", count: pad)]))
            }
            if let body = testCase["body"] as? String { return .json(body) }
            return .json(Self.document(id, testCase["extra"] as? [String: Any] ?? [:]))
        }
        let id = server.url + "/client.json"
        idBox.withLock { $0 = id }
        let expected = try #require(testCase["expect"] as? String)
        try await Self.withRuntime(trusting: server) { runtime in
            _ = try await Self.tenant(runtime)
            try await ServerFixture.withClient(runtime) { http in
                let page = try await http.execute(
                    uri: Self.authorizeURL(id, verifier: RandomToken.generate(bytes: 32)), method: .get)
                #expect(page.status == .badRequest, "\(why): \(page.status)")
                #expect(page.headers[.location] == nil)
                #expect(page.text.contains(expected), "\(why): \(page.text.prefix(600))")
                let token = try await Self.tokenRequest(http, clientID: id)
                #expect(token.status == .unauthorized, "\(token.text)")
                let body = try token.jsonObject()
                #expect(body["error"] as? String == "invalid_client")
                #expect((body["error_description"] as? String)?.contains(expected) == true, "\(body)")
            }
            #expect(try await runtime.store.registeredClientCount(tenantID: runtime.acmeID()) == 0)
        }
        // The failure is remembered: the token request made no second fetch.
        #expect(server.connections == 1, "\(why)")
        #expect(elsewhere.connections == 0, "a redirect is never followed")
        await server.stop()
        await elsewhere.stop()
    }

    /// Without the development setting, a document on loopback is never fetched, and private,
    /// link-local and metadata addresses are refused whatever the setting.
    @Test func refusedAddressesAreNeverContacted() async throws {
        let listener = try await LoopbackTLSServer { _ in .json("{}") }
        try await Self.withRuntime(trusting: listener, strict: true) { runtime in
            _ = try await Self.tenant(runtime)
            try await ServerFixture.withClient(runtime) { http in
                for id in [
                    "https://127.0.0.1:\(listener.port)/client.json", "https://localhost:\(listener.port)/client.json",
                    "https://[::1]:\(listener.port)/client.json", "https://10.0.0.1/client.json",
                    "https://169.254.169.254/latest/client.json",
                ] {
                    let page = try await http.execute(
                        uri: Self.authorizeURL(id, verifier: RandomToken.generate(bytes: 32)), method: .get)
                    #expect(page.status == .badRequest, "\(id)")
                    #expect(page.text.contains("is refused"), "\(id): \(page.text.prefix(500))")
                }
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        #expect(listener.connections == 0)
        await listener.stop()
    }

    /// Names that resolve to refused addresses are refused after resolution, before any
    /// connection: the answers are given by the test's resolver, so no traffic leaves loopback,
    /// and the loopback ones would reach the listener if the check failed.
    @Test func namesResolvingToRefusedAddressesAreRefused() async throws {
        let listener = try await LoopbackTLSServer { _ in .json("{}") }
        let answers: [String: String] = [
            "loopback.example": "127.0.0.1", "private.example": "10.0.0.1",
            "metadata.example": "169.254.169.254", "v6-loopback.example": "::1",
        ]
        let fetcher = OutboundFetcher(
            policy: OutboundAddressPolicy(allowLoopback: false), timeoutSeconds: 2, maximumBytes: 5_120,
            trustRoots: try .systemAnd(pem: listener.certificatePEM),
            resolver: { host throws(OutboundFailure) in
                guard let address = answers[host].flatMap(IPAddress.init) else { throw .unresolvable(host: host) }
                return [address]
            })
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await Self.tenant(runtime)
            let tenant = try await runtime.context(of: fixture.tenant)
            let resolver = MetadataDocumentResolver(
                store: runtime.store, documents: fetcher, keySets: fetcher, clients: nil, capacity: 100,
                clock: { Date() })
            for host in answers.keys.sorted() {
                do throws(MetadataDocumentFailure) {
                    _ = try await resolver.client(
                        tenant: tenant, id: "https://\(host):\(listener.port)/client.json", stored: nil)
                    Issue.record("\(host) was fetched")
                } catch {
                    guard case .fetch(.refusedAddress(let refused, _)) = error else {
                        Issue.record("\(host): \(error)")
                        continue
                    }
                    #expect(refused == host)
                }
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        #expect(listener.connections == 0)
        await listener.stop()
    }

    /// A document slower than the fetch's bound is refused (the bound is 5 s in the server; 1 s here).
    @Test func aSlowDocumentIsRefused() async throws {
        let idBox = Mutex("")
        let server = try await LoopbackTLSServer(delay: .seconds(3)) { _ in .json(Self.document(idBox.withLock { $0 }))
        }
        let id = server.url + "/client.json"
        idBox.withLock { $0 = id }
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await Self.tenant(runtime)
            let resolver = MetadataDocumentResolver(
                store: runtime.store, policy: OutboundAddressPolicy(allowLoopback: true), timeoutSeconds: 1,
                trustRoots: try .systemAnd(pem: server.certificatePEM))
            let tenant = try await runtime.context(of: fixture.tenant)
            let started = Date()
            do throws(MetadataDocumentFailure) {
                _ = try await resolver.client(tenant: tenant, id: id, stored: nil)
                Issue.record("a slow document was accepted")
            } catch {
                guard case .fetch(.unreachable) = error else {
                    Issue.record("\(error)")
                    return
                }
            }
            #expect(Date().timeIntervalSince(started) < 2.5)
            #expect(try await runtime.store.registeredClientCount(tenantID: fixture.tenant.id) == 0)
        }
        await server.stop()
    }

    /// The document is fetched again once its max-age passed (not before), a change is stored as
    /// an update, and an administrator's block survives the refresh.
    @Test func documentsAreRefreshedByTheirCachingHeaders() async throws {
        let name = Mutex("Notes Agent")
        let idBox = Mutex("")
        let server = try await LoopbackTLSServer { _ in
            .json(
                Self.document(idBox.withLock { $0 }, ["client_name": name.withLock { $0 }]),
                headers: [("Cache-Control", "public, max-age=120")])
        }
        let id = server.url + "/client.json"
        idBox.withLock { $0 = id }
        let now = Mutex(Date())
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await Self.tenant(runtime)
            let tenant = try await runtime.context(of: fixture.tenant)
            let resolver = MetadataDocumentResolver(
                store: runtime.store, policy: OutboundAddressPolicy(allowLoopback: true),
                trustRoots: try .systemAnd(pem: server.certificatePEM), clock: { now.withLock { $0 } })
            let first = try #require(try await resolver.client(tenant: tenant, id: id, stored: nil))
            #expect(first.name == "Notes Agent" && first.version == 1)
            name.withLock { $0 = "Notes Agent 2" }
            now.withLock { $0 = $0.addingTimeInterval(100) }
            let cached = try await resolver.client(tenant: tenant, id: id, stored: first)
            #expect(cached?.name == "Notes Agent")
            #expect(server.received.count == 1)

            var blocked = first
            blocked.status = .disabled
            now.withLock { $0 = $0.addingTimeInterval(30) }
            let refreshed = try #require(try await resolver.client(tenant: tenant, id: id, stored: blocked))
            #expect(server.received.count == 2)
            #expect(refreshed.name == "Notes Agent 2" && refreshed.version == 2)
            #expect(refreshed.status == .disabled, "a block survives the document's refresh")
            let stored = try await runtime.store.client(tenantID: fixture.tenant.id, id: id)
            #expect(stored?.name == "Notes Agent 2")
        }
        await server.stop()
    }

    @Test func clientIDURLsFollowTheDraftsForm() throws {
        for good in ["https://app.example/client.json", "https://app.example:8443/a/b?x=1"] {
            #expect((try? ClientIDURL.parse(good)) != nil, "\(good)")
        }
        for bad in [
            "https://app.example", "https://app.example/", "http://app.example/c.json", "https://app.example/c.json#f",
            "https://user:pw@app.example/c.json", "https://app.example/a/../c.json", "https://app.example/./c.json",
            "https://app.example/" + String(repeating: "x", count: 260),
        ] {
            #expect((try? ClientIDURL.parse(bad)) == nil, "\(bad)")
        }
        #expect(!ClientIDURL.isCandidate("s6BhdRkqt3"))
    }
}

extension TesseraRuntime {
    /// The id of tenant acme.
    func acmeID() async throws -> UUID {
        try #require(try await store.tenant(slug: TenantSlug("acme"))).id
    }

    /// The request-time view of `tenant`, as the routes build it.
    func context(of tenant: Tenant) async throws -> TenantContext {
        let fresh = try #require(try await store.tenant(slug: tenant.slug))
        return TenantContext(tenant: fresh, issuer: ServerFixture.issuer, keys: try await tenants.keys(for: fresh))
    }
}
