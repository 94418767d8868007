import Foundation
import TesseraCore
import TesseraOAuth
import Testing

/// `private_key_jwt` (RFC 7523 §2.2 and §3, OpenID Connect Core §9): what a well-behaved client
/// does, and that it works. The refusal suites start from these same assertions.
@Suite struct PrivateKeyJWTAcceptanceTests {

    @Test func es256ClientAuthenticatesWithASignedAssertion() async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await PrivateKeyJWT.fixture(registering: key)
        defer { fixture.close() }

        let result = try await PrivateKeyJWT.authenticate(fixture, assertion: try key.sign(.valid(for: client.id)))
        #expect(result.client.id == client.id)
        #expect(result.method == .privateKeyJWT)
    }

    @Test func rs256ClientAuthenticatesWithASignedAssertionAndItsClientID() async throws {
        let key = try await ClientKeyPair.rs256()
        let (fixture, client) = try await PrivateKeyJWT.fixture(registering: key)
        defer { fixture.close() }

        let result = try await PrivateKeyJWT.authenticate(
            fixture, assertion: try key.sign(.valid(for: client.id)), clientID: client.id)
        #expect(result.client.id == client.id)
        #expect(result.method == .privateKeyJWT)
    }

    /// RFC 9864 §2.2: `Ed25519` is the fully specified name, `EdDSA` the deprecated one clients
    /// still send; both verify with an Ed25519 key, whichever of the two its JWK declares.
    @Test(arguments: [("Ed25519", "Ed25519"), ("Ed25519", "EdDSA"), ("EdDSA", "Ed25519"), ("EdDSA", "EdDSA")])
    func ed25519ClientAuthenticatesUnderEitherName(registeredAlg: String, headerAlg: String) async throws {
        let generated = try await ClientKeyPair.edDSA()
        let registered = generated.publicJWK.replacingOccurrences(
            of: #""alg":"Ed25519""#, with: #""alg":"\#(registeredAlg)""#)
        let key = ClientKeyPair(kid: generated.kid, alg: headerAlg, publicJWK: registered, signer: generated.signer)
        let (fixture, client) = try await PrivateKeyJWT.fixture(registering: key)
        defer { fixture.close() }

        let result = try await PrivateKeyJWT.authenticate(fixture, assertion: try key.sign(.valid(for: client.id)))
        #expect(result.method == .privateKeyJWT)
    }

    @Test func assertionNamingAnUnknownClientFailsLikeABadSignature() async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, _) = try await PrivateKeyJWT.fixture(registering: key)
        defer { fixture.close() }

        let error = try await PrivateKeyJWT.refusal(fixture, assertion: try key.sign(.valid(for: "no-such-client")))
        #expect(error?.code == .invalidClient)
        #expect(error?.description == ClientAuthenticator.failureDescription)
    }

    @Test func audienceMayBeTheIssuerOrAnArrayNamingTheTokenEndpoint() async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await PrivateKeyJWT.fixture(registering: key)
        defer { fixture.close() }

        var issuerAudience = AssertionClaims.valid(for: client.id)
        issuerAudience.aud = .one(AuthenticationFixture.issuer)
        _ = try await PrivateKeyJWT.authenticate(fixture, assertion: try key.sign(issuerAudience))
        var arrayAudience = AssertionClaims.valid(for: client.id)
        arrayAudience.aud = .many(["https://elsewhere.example", AuthenticationFixture.tokenEndpoint])
        _ = try await PrivateKeyJWT.authenticate(fixture, assertion: try key.sign(arrayAudience))
    }

    @Test func kidMayBeOmittedWhenTheClientHasASingleKey() async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await PrivateKeyJWT.fixture(registering: key)
        defer { fixture.close() }

        let result = try await PrivateKeyJWT.authenticate(
            fixture, assertion: try key.sign(.valid(for: client.id), header: #"{"alg":"ES256"}"#))
        #expect(result.client.id == client.id)
    }

    @Test func eachOfSeveralRegisteredKeysIsFoundByItsKid() async throws {
        let first = try await ClientKeyPair.es256()
        let second = try await ClientKeyPair.rs256()
        let (fixture, client) = try await PrivateKeyJWT.fixture(registering: first, second)
        defer { fixture.close() }

        _ = try await PrivateKeyJWT.authenticate(fixture, assertion: try first.sign(.valid(for: client.id)))
        _ = try await PrivateKeyJWT.authenticate(fixture, assertion: try second.sign(.valid(for: client.id)))
    }

    @Test func changedKeysTakeEffectOnTheNextRequest() async throws {
        let old = try await ClientKeyPair.es256()
        let new = try await ClientKeyPair.es256()
        let (fixture, client) = try await PrivateKeyJWT.fixture(registering: old)
        defer { fixture.close() }
        _ = try await PrivateKeyJWT.authenticate(fixture, assertion: try old.sign(.valid(for: client.id)))

        var rotated = client
        rotated.jwks = ClientKeyPair.jwks(new)
        rotated.version += 1
        try await fixture.store.updateClient(rotated)

        #expect(
            try await PrivateKeyJWT.refusal(fixture, assertion: try old.sign(.valid(for: client.id)))?.code
                == .invalidClient)
        _ = try await PrivateKeyJWT.authenticate(fixture, assertion: try new.sign(.valid(for: client.id)))
    }

    /// What the metadata advertises (RFC 8414 §2 `token_endpoint_auth_signing_alg_values_supported`)
    /// is what the checks take (`ClientPolicy.signingAlgorithms`), and asymmetric only.
    @Test func advertisedAssertionAlgorithmsAreAsymmetricOnly() throws {
        let tenant = Tenant(slug: try TenantSlug("acme"), name: "Acme", createdAt: Date())
        let algorithms = AuthorizationServerMetadata(
            issuer: "https://id.example.com/t/acme", tenant: tenant, scopes: [], grants: [.clientCredentials]
        ).tokenEndpointAuthSigningAlgValuesSupported
        #expect(algorithms == ClientPolicy.signingAlgorithms(tenant.settings).map(\.rawValue))
        #expect(
            algorithms.contains("ES256") && algorithms.contains("RS256") && algorithms.contains("Ed25519")
                && algorithms.contains("EdDSA"))
        #expect(!algorithms.contains { $0.hasPrefix("HS") || $0.lowercased() == "none" })
    }
}
