import Foundation
import TesseraCore
import TesseraOAuth
import TesseraStore
import TesseraTestSupport
import Testing

/// A real migrated SQLite store with one tenant, the `ClientAuthenticator` the token endpoint
/// uses over it, and builders for clients and requests, so each test says only what it is about.
struct AuthenticationFixture {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)
    static let issuer = "https://as.example.com/t/acme"
    static let tokenEndpoint = "https://as.example.com/t/acme/token"
    static let secret = "s3cret-\(RandomToken.generate())"

    let store: any Store
    let tenant: Tenant
    let authenticator: ClientAuthenticator

    static func make() async throws -> AuthenticationFixture {
        let store = try await TestDatabases.freshStore(.sqlite)
        let tenant = try await insertTenant(into: store)
        let authenticator = ClientAuthenticator(
            directory: StoreClientDirectory(store: store), assertions: store, clock: { now })
        return AuthenticationFixture(store: store, tenant: tenant, authenticator: authenticator)
    }

    static func insertTenant(into store: any Store) async throws -> Tenant {
        let slug = "t-\(UUID().uuidString.prefix(8).lowercased())"
        let tenant = Tenant(slug: try TenantSlug(slug), name: "Tenant \(slug)", createdAt: now)
        try await store.insertTenant(tenant)
        return tenant
    }

    func close() {
        let store = self.store
        Task { await store.close() }
    }

    /// Registers a client of `method` in the fixture's tenant (or `tenant`): confidential
    /// secret clients hold `secret`, `private_key_jwt` clients `jwks`.
    @discardableResult
    func insertClient(
        _ method: ClientAuthMethod, id: String = Client.generateID(), secret: String = AuthenticationFixture.secret,
        jwks: String? = nil, status: Client.Status = .active, in tenant: Tenant? = nil
    ) async throws -> Client {
        let client = Client(
            tenantID: (tenant ?? self.tenant).id, id: id, name: "Orders service", authMethod: method,
            secretHash: method.usesSecret ? SecretHash(of: secret) : nil,
            jwks: jwks,
            grantTypes: method == .none ? [.authorizationCode] : [.clientCredentials],
            scopes: try ScopeSet(parsing: "orders:read"),
            redirectURIs: method == .none ? [try RedirectURI("https://app.example.com/callback")] : [],
            status: status, createdAt: Self.now)
        try client.validate()
        try await store.insertClient(client)
        return client
    }

    func request(
        authorization: String? = nil, form: String = "", allowPublic: Bool = false,
        acceptedAudiences: [String] = [AuthenticationFixture.tokenEndpoint, AuthenticationFixture.issuer]
    ) throws -> ClientAuthenticationRequest {
        ClientAuthenticationRequest(
            tenantID: tenant.id, authorizationHeader: authorization, form: try FormParameters(body: form),
            acceptedAudiences: acceptedAudiences, allowPublic: allowPublic)
    }

    /// The error `authenticate` throws for `request`; fails the test if it succeeds.
    func failure(
        of request: ClientAuthenticationRequest, sourceLocation: SourceLocation = #_sourceLocation
    ) async
        -> OAuthError?
    {
        do {
            let client = try await authenticator.authenticate(request)
            Issue.record("expected a refusal, but \(client.client.id) authenticated", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }
}

/// RFC 6749 Appendix B: the form encoding Basic credentials are encoded with before base64.
func formEncode(_ text: String) -> String {
    var encoded = ""
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "*"):
            encoded.append(Character(Unicode.Scalar(byte)))
        case UInt8(ascii: " "):
            encoded.append("+")
        default:
            encoded += String(format: "%%%02X", byte)
        }
    }
    return encoded
}

/// `Authorization: Basic` for a client id and secret, encoded as RFC 6749 §2.3.1 prescribes.
func basicHeader(_ clientID: String, _ secret: String) -> String {
    "Basic " + Data((formEncode(clientID) + ":" + formEncode(secret)).utf8).base64EncodedString()
}
