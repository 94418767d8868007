import Foundation
import TesseraCore
import Testing

@Suite("Client registration rules")
struct ClientRulesTests {
    @Test(arguments: [
        "https://app.example.com/callback", "http://127.0.0.1/callback", "http://[::1]:8000/cb",
        "http://localhost:3000/cb", "com.example.app:/oauth2redirect", "https://app.example.com/cb?tenant=1",
    ])
    func acceptableRedirectURIs(uri: String) throws {
        #expect(try RedirectURI(uri).rawValue == uri)
    }

    @Test(arguments: [
        "javascript:alert(1)", "http://app.example.com/cb", "https://app.example.com/cb#frag", "/relative",
        "myapp:/cb", "data:text/html,hi", "https:///nohost", "https://app.example.com/a b",
    ])
    func refusedRedirectURIs(uri: String) {
        #expect(throws: ValidationError.self) { try RedirectURI(uri) }
    }

    @Test func redirectURIsMatchExactly() throws {
        let registered = try RedirectURI("https://app.example.com/callback")
        #expect(registered.matches("https://app.example.com/callback"))
        #expect(!registered.matches("https://app.example.com/callback/"))
        #expect(!registered.matches("https://app.example.com/callback?x=1"))
        #expect(!registered.matches("https://APP.example.com/callback"))
        #expect(!registered.matches("https://app.example.com:443/callback"))
    }

    @Test func loopbackRedirectURIsMatchOnAnyPort() throws {
        let registered = try RedirectURI("http://127.0.0.1/callback")
        #expect(registered.matches("http://127.0.0.1:51234/callback"))
        #expect(!registered.matches("http://127.0.0.1:51234/other"))
        #expect(!registered.matches("http://127.0.0.2:51234/callback"))
        // localhost is not an IP literal: RFC 8252 §8.3 prefers the literal, and we match it exactly.
        #expect(!(try RedirectURI("http://localhost/cb")).matches("http://localhost:9999/cb"))
    }

    @Test func scopeParsingAcceptsRFCTokensAndRefusesOthers() throws {
        #expect(try ScopeSet(parsing: "  orders:read  openid ").sorted == ["openid", "orders:read"])
        #expect(throws: ValidationError.self) { try ScopeSet(parsing: "a\"b") }
        #expect(throws: ValidationError.self) { try ScopeSet(parsing: "a\\b") }
        #expect(throws: ValidationError.self) { try ScopeSet(parsing: "é") }
    }

    @Test func publicClientsCannotUseClientCredentials() throws {
        let client = Client(
            tenantID: UUID(), id: "c", name: "App", authMethod: .none, grantTypes: [.clientCredentials],
            scopes: ScopeSet([]), createdAt: Date())
        #expect(throws: ValidationError.self) { try client.validate() }
    }

    @Test func authorizationCodeNeedsARedirectURI() throws {
        let client = Client(
            tenantID: UUID(), id: "c", name: "App", authMethod: .none, grantTypes: [.authorizationCode],
            scopes: ScopeSet([]), createdAt: Date())
        #expect(throws: ValidationError.self) { try client.validate() }
    }

    @Test func confidentialClientNeedsASecret() throws {
        let client = Client(
            tenantID: UUID(), id: "c", name: "Svc", authMethod: .clientSecretBasic, grantTypes: [.clientCredentials],
            scopes: ScopeSet([]), createdAt: Date())
        #expect(throws: ValidationError.self) { try client.validate() }
    }
}

@Suite("Secrets")
struct SecretTests {
    @Test func generatedSecretsAre256BitsAndDistinct() {
        let a = RandomToken.generate()
        let b = RandomToken.generate()
        #expect(a != b)
        #expect(Base64URL.decode(a)?.count == 32)
    }

    @Test func secretHashMatchesOnlyTheSecret() {
        let hash = SecretHash(of: "correct")
        #expect(hash.matches("correct"))
        #expect(!hash.matches("Correct"))
        #expect(!hash.matches(""))
        #expect(hash.bytes.count == 32)
    }

    @Test func usernamesAreCaseInsensitive() throws {
        #expect(try User.normalizeUsername("  Alice@Example.COM ") == "alice@example.com")
        #expect(throws: ValidationError.self) { try User.normalizeUsername("   ") }
        #expect(throws: ValidationError.self) { try User.normalizeUsername("a\u{0}b") }
    }

    @Test func passwordsLongerThanBcryptReadsAreRefused() {
        #expect(throws: ValidationError.self) { try User.validatePassword(String(repeating: "x", count: 73)) }
        #expect(throws: ValidationError.self) { try User.validatePassword("short") }
        #expect(throws: Never.self) { try User.validatePassword("long enough") }
    }
}
