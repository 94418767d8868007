import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Synchronization
import TesseraCore
import TesseraOAuth
import TesseraServer
import Testing

/// A minimal browser for in-process tests: keeps the cookies the server sets, follows nothing
/// by itself, and reads the hidden inputs of the page it was shown.
final class TestBrowser: Sendable {
    let client: any TestClientProtocol
    private let jar = Mutex<[String: String]>([:])

    init(_ client: any TestClientProtocol) { self.client = client }

    var cookies: [String: String] { jar.withLock { $0 } }

    func forget(_ name: String) { jar.withLock { $0[name] = nil } }

    /// A cookie arriving from elsewhere (copied from another browser, or sealed by the test).
    func set(_ name: String, _ value: String) { jar.withLock { $0[name] = value } }

    func get(_ uri: String) async throws -> TestResponse {
        try await send(uri, method: .get, body: nil)
    }

    func post(_ uri: String, _ form: [String: String]) async throws -> TestResponse {
        try await send(uri, method: .post, body: FormBody.encode(form))
    }

    private func send(_ uri: String, method: HTTPRequest.Method, body: String?) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        let cookieHeader = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        if !cookieHeader.isEmpty { headers[.cookie] = cookieHeader }
        if body != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        let response = try await client.execute(
            uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        for setCookie in response.headers[values: .setCookie] {
            let pair = setCookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            let name = String(pair[0])
            let value = pair.count > 1 ? String(pair[1]) : ""
            jar.withLock { $0[name] = value.isEmpty || setCookie.contains("Max-Age=0") ? nil : value }
        }
        return response
    }
}

enum FormBody {
    static func encode(_ form: [String: String]) -> String {
        form.sorted { $0.key < $1.key }.map { "\(FormEncoding.encode($0.key))=\(FormEncoding.encode($0.value))" }
            .joined(separator: "&")
    }
}

extension TestResponse {
    /// The value of the page's input named `name`.
    func input(_ name: String) throws -> String {
        let pattern = try Regex(#"name="\#(name)" value="([^"]*)""#)
        let match = try #require(text.firstMatch(of: pattern), "no input \(name) in the page")
        return String(try #require(match.output[1].substring))
    }

    var location: String? { headers[.location] }

    /// The query parameters of the `Location` this response redirects to.
    func redirectQuery() throws -> [String: String] {
        let location = try #require(self.location, "expected a redirect, got \(status)")
        let items = try #require(URLComponents(string: location)?.queryItems)
        return Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
    }
}

/// One app and one user of `acme`, and the authorization URLs the tests start from.
struct DelegationFixture: Sendable {
    static let redirectURI = "https://app.example.com/callback"
    let tenant: Tenant
    let clientID: String
    let secret: String
    let otherClientID: String
    let otherSecret: String
    let verifier = RandomToken.generate(bytes: 32)

    /// The user's name and password in every fixture tenant.
    static let username = "alice"
    static let password = "correct horse battery"

    /// Makes tenant `slug` (acme unless told) with the fixture's scope, two apps and alice.
    static func make(_ runtime: TesseraRuntime, slug: String = "acme") async throws -> DelegationFixture {
        let tenant = try await runtime.administration.createTenant(
            slug: slug, name: slug.capitalized, actor: "test")
        _ = try await runtime.administration.createScope(
            in: tenant, name: "orders:read", description: "Read your orders", actor: "test")
        let registration = Administration.ClientRegistration(
            name: "Order Viewer", grants: ["authorization_code", "refresh_token"],
            scopes: ["openid", "profile", "orders:read", "offline_access"], redirectURIs: [redirectURI],
            audiences: ["https://api.example.com"])
        let (client, secret) = try await runtime.administration.createClient(in: tenant, registration, actor: "test")
        var other = registration
        other.name = "Other App"
        let (otherClient, otherSecret) = try await runtime.administration.createClient(in: tenant, other, actor: "test")
        _ = try await runtime.administration.createUser(
            in: tenant, username: username, password: password, actor: "test")
        return DelegationFixture(
            tenant: tenant, clientID: client.id, secret: try #require(secret), otherClientID: otherClient.id,
            otherSecret: try #require(otherSecret))
    }

    /// The tenant's issuer path, `/t/{slug}`.
    var path: String { "/t/\(tenant.slug)" }

    func authorizeURL(_ extra: [String: String] = [:], omit: Set<String> = []) -> String {
        var query = [
            "response_type": "code", "client_id": clientID, "redirect_uri": Self.redirectURI,
            "scope": "openid profile orders:read", "state": "st-123", "nonce": "n-456",
            "code_challenge": PKCE.challenge(for: verifier), "code_challenge_method": "S256",
        ]
        for key in omit { query[key] = nil }
        query.merge(extra) { _, new in new }
        return path + "/authorize?" + FormBody.encode(query)
    }

    var basic: String { "Basic " + Data("\(clientID):\(secret)".utf8).base64EncodedString() }
    var otherBasic: String { "Basic " + Data("\(otherClientID):\(otherSecret)".utf8).base64EncodedString() }

    /// Signs alice in and approves: the code the client receives.
    func code(_ browser: TestBrowser, _ extra: [String: String] = [:]) async throws -> String {
        try await code(browser, url: authorizeURL(extra))
    }

    /// Signs alice in at `url` (an authorization request) and approves: the code.
    func code(_ browser: TestBrowser, url: String) async throws -> String {
        let page = try await signIn(browser, url: url)
        let query = try page.redirectQuery()
        return try #require(query["code"], "no code in \(page.location ?? "")")
    }

    /// Signs alice in at `url` and approves, when the pages ask: the redirect back to the client.
    func signIn(_ browser: TestBrowser, url: String) async throws -> TestResponse {
        var page = try await browser.get(url)
        if page.status == .ok, page.text.contains("name=\"password\"") {
            page = try await browser.post(
                path + "/login",
                [
                    "csrf_token": try page.input("csrf_token"), "pending": try page.input("pending"),
                    "username": Self.username, "password": Self.password,
                ])
        }
        if page.status == .ok, page.text.contains("name=\"decision\"") {
            page = try await browser.post(
                path + "/consent",
                [
                    "csrf_token": try page.input("csrf_token"), "pending": try page.input("pending"),
                    "decision": "approve",
                ])
        }
        return page
    }

    func redeem(
        _ client: any TestClientProtocol, code: String, verifier: String? = nil, authorization: String? = nil,
        redirectURI: String = DelegationFixture.redirectURI
    ) async throws -> TestResponse {
        try await client.execute(
            uri: path + "/token", method: .post,
            headers: [.authorization: authorization ?? basic, .contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(
                string: FormBody.encode([
                    "grant_type": "authorization_code", "code": code, "code_verifier": verifier ?? self.verifier,
                    "redirect_uri": redirectURI,
                ])))
    }

    func refresh(_ client: any TestClientProtocol, _ token: String, scope: String? = nil) async throws -> TestResponse {
        var form = ["grant_type": "refresh_token", "refresh_token": token]
        form["scope"] = scope
        return try await client.execute(
            uri: path + "/token", method: .post,
            headers: [.authorization: basic, .contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: FormBody.encode(form)))
    }

    func introspect(_ client: any TestClientProtocol, _ token: String) async throws -> [String: Any] {
        try await Self.introspect(client, token, authorization: basic, at: path)
    }

    /// RFC 7662 at the tenant of `path` (acme unless told), as the client whose `Authorization`
    /// header is given.
    static func introspect(
        _ client: any TestClientProtocol, _ token: String, authorization: String, at path: String = "/t/acme"
    ) async throws -> [String: Any] {
        try await client.execute(
            uri: path + "/introspect", method: .post,
            headers: [.authorization: authorization, .contentType: "application/x-www-form-urlencoded"],
            body: ByteBuffer(string: FormBody.encode(["token": token]))
        ).jsonObject()
    }
}
