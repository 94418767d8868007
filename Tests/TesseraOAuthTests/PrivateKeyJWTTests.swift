import Foundation
import JWTKit
import TesseraCore
import TesseraOAuth
import TesseraStore
import Testing

/// `private_key_jwt` (RFC 7523 §2.2 and §3, OpenID Connect Core §9). Each forged or faulty
/// assertion differs from a valid one by the one rule under test, and the valid one is shown
/// to pass first, so a test can only pass because that rule is enforced.
@Suite struct PrivateKeyJWTTests {
    /// A fixture with one `private_key_jwt` client registered with `keys`' public halves.
    static func setUp(_ keys: ClientKeyPair...) async throws -> (AuthenticationFixture, Client) {
        let fixture = try await AuthenticationFixture.make()
        let jwks = "{\"keys\":[" + keys.map(\.publicJWK).joined(separator: ",") + "]}"
        let client = try await fixture.insertClient(.privateKeyJWT, jwks: jwks)
        return (fixture, client)
    }

    static func authenticate(_ fixture: AuthenticationFixture, _ assertion: String, clientID: String? = nil)
        async throws -> AuthenticatedClient
    {
        try await fixture.authenticator.authenticate(
            fixture.request(form: AuthenticationFixture.assertionForm(assertion, clientID: clientID)))
    }

    static func refusal(_ fixture: AuthenticationFixture, _ assertion: String, clientID: String? = nil) async throws
        -> OAuthError?
    {
        await fixture.failure(of: try fixture.request(form: AuthenticationFixture.assertionForm(assertion, clientID: clientID)))
    }

    // MARK: - Accepted

    @Test func es256ClientAuthenticatesWithASignedAssertion() async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await Self.setUp(key)
        defer { fixture.close() }

        let result = try await Self.authenticate(fixture, try key.sign(.valid(for: client.id)))
        #expect(result.client.id == client.id)
        #expect(result.method == .privateKeyJWT)
    }

    @Test func rs256ClientAuthenticatesWithASignedAssertionAndItsClientID() async throws {
        let key = try await ClientKeyPair.rs256()
        let (fixture, client) = try await Self.setUp(key)
        defer { fixture.close() }

        let result = try await Self.authenticate(fixture, try key.sign(.valid(for: client.id)), clientID: client.id)
        #expect(result.client.id == client.id)
        #expect(result.method == .privateKeyJWT)
    }

    @Test func audienceMayBeTheIssuerOrAnArrayNamingTheTokenEndpoint() async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await Self.setUp(key)
        defer { fixture.close() }

        var issuerAudience = AssertionClaims.valid(for: client.id)
        issuerAudience.aud = .one(AuthenticationFixture.issuer)
        _ = try await Self.authenticate(fixture, try key.sign(issuerAudience))
        var arrayAudience = AssertionClaims.valid(for: client.id)
        arrayAudience.aud = .many(["https://elsewhere.example", AuthenticationFixture.tokenEndpoint])
        _ = try await Self.authenticate(fixture, try key.sign(arrayAudience))
    }

    @Test func kidMayBeOmittedWhenTheClientHasASingleKey() async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await Self.setUp(key)
        defer { fixture.close() }

        let result = try await Self.authenticate(fixture, try key.sign(.valid(for: client.id), header: #"{"alg":"ES256"}"#))
        #expect(result.client.id == client.id)
    }

    @Test func eachOfSeveralRegisteredKeysIsFoundByItsKid() async throws {
        let first = try await ClientKeyPair.es256()
        let second = try await ClientKeyPair.rs256()
        let (fixture, client) = try await Self.setUp(first, second)
        defer { fixture.close() }

        _ = try await Self.authenticate(fixture, try first.sign(.valid(for: client.id)))
        _ = try await Self.authenticate(fixture, try second.sign(.valid(for: client.id)))
    }

    @Test func changedKeysTakeEffectOnTheNextRequest() async throws {
        let old = try await ClientKeyPair.es256()
        let new = try await ClientKeyPair.es256()
        let (fixture, client) = try await Self.setUp(old)
        defer { fixture.close() }
        _ = try await Self.authenticate(fixture, try old.sign(.valid(for: client.id)))

        var rotated = client
        rotated.jwks = ClientKeyPair.jwks(new)
        rotated.version += 1
        try await fixture.store.updateClient(rotated)

        #expect(try await Self.refusal(fixture, try old.sign(.valid(for: client.id)))?.code == .invalidClient)
        _ = try await Self.authenticate(fixture, try new.sign(.valid(for: client.id)))
    }

    // MARK: - Refused: the key and the signature

    @Test func assertionSignedByAnotherKeyUnderTheRegisteredKidIsRefused() async throws {
        let key = try await ClientKeyPair.es256()
        let impostor = try await ClientKeyPair.es256()
        let (fixture, client) = try await Self.setUp(key)
        defer { fixture.close() }

        let forged = try impostor.sign(.valid(for: client.id), header: key.header)
        let error = try await Self.refusal(fixture, forged)
        #expect(error?.code == .invalidClient)
        #expect(error?.description == ClientAuthenticator.failureDescription)
    }

    @Test func unknownKidDoesNotFallBackToTheClientsOnlyKey() async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await Self.setUp(key)
        defer { fixture.close() }

        // Properly signed with the registered key: only the kid is wrong.
        let assertion = try key.sign(.valid(for: client.id), header: #"{"alg":"ES256","kid":"made-up"}"#)
        #expect(try await Self.refusal(fixture, assertion)?.code == .invalidClient)
    }

    @Test func kidIsRequiredWhenTheClientHasSeveralKeys() async throws {
        let first = try await ClientKeyPair.es256()
        let second = try await ClientKeyPair.es256()
        let (fixture, client) = try await Self.setUp(first, second)
        defer { fixture.close() }

        let assertion = try first.sign(.valid(for: client.id), header: #"{"alg":"ES256"}"#)
        #expect(try await Self.refusal(fixture, assertion)?.code == .invalidClient)
    }

    @Test func algNoneIsRefused() async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await Self.setUp(key)
        defer { fixture.close() }

        let header = Base64URL.encode(Array(#"{"alg":"none","kid":"\#(key.kid)"}"#.utf8))
        let payload = Base64URL.encode(try AssertionClaims.valid(for: client.id).json())
        let error = try await Self.refusal(fixture, header + "." + payload + ".")
        #expect(error?.code == .invalidClient)
        #expect(error?.description?.contains("alg is not accepted") == true)
    }

    @Test func hs256KeyedWithTheClientsPublicKeyIsRefused() async throws {
        let key = try await ClientKeyPair.rs256()
        let (fixture, client) = try await Self.setUp(key)
        defer { fixture.close() }

        let hmac = try await ClientKeyPair.algorithm { collection, slot in
            await collection.add(hmac: HMACKey(from: key.publicJWK), digestAlgorithm: .sha256, kid: slot)
        }
        let confused = key.resigning(as: "HS256", with: hmac)
        let error = try await Self.refusal(fixture, try confused.sign(.valid(for: client.id)))
        #expect(error?.code == .invalidClient)
        #expect(error?.description?.contains("alg is not accepted") == true)
    }

    @Test func headerAlgMustBeTheAlgorithmTheKeyIsRegisteredFor() async throws {
        let key = try await ClientKeyPair.rs256()
        let (fixture, client) = try await Self.setUp(key)
        defer { fixture.close() }
        // The client's JWK says alg RS256; this assertion is genuinely signed by the same RSA key
        // with RS384 and says so.
        let rsa = try #require(key.rsaPrivateKey)
        let rs384 = try await ClientKeyPair.algorithm { collection, slot in
            await collection.add(rsa: rsa, digestAlgorithm: .sha384, kid: slot)
        }
        let other = key.resigning(as: "RS384", with: rs384)

        #expect(try await Self.refusal(fixture, try other.sign(.valid(for: client.id)))?.code == .invalidClient)
    }

    @Test(arguments: ["jwk", "jku", "x5u", "x5c", "crit"])
    func headerParametersThatChooseTheKeyAreRefused(parameter: String) async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await Self.setUp(key)
        defer { fixture.close() }

        let header = #"{"alg":"ES256","kid":"\#(key.kid)","\#(parameter)":"https://attacker.example/keys"}"#
        let error = try await Self.refusal(fixture, try key.sign(.valid(for: client.id), header: header))
        #expect(error?.code == .invalidClient)
        #expect(error?.description?.contains(parameter) == true)
    }

    @Test(arguments: ["", "abc", "a.b", "a.b.c.d", "!!.e30.AA", "eyJhbGciOiJFUzI1NiJ9.e30"])
    func assertionThatIsNotACompactJWSIsRefused(assertion: String) async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, _) = try await Self.setUp(key)
        defer { fixture.close() }

        let error = try await Self.refusal(fixture, assertion)
        // An empty client_assertion is an absent one: the type alone is a malformed request.
        #expect(error?.code == (assertion.isEmpty ? .invalidRequest : .invalidClient))
    }

    @Test func keysLeftOnAClientRegisteredForASecretAreNotAccepted() async throws {
        let key = try await ClientKeyPair.es256()
        let fixture = try await AuthenticationFixture.make()
        defer { fixture.close() }
        // Registered for client_secret_basic, with a JWKS left over from an earlier registration.
        let client = try await fixture.insertClient(.clientSecretBasic, jwks: ClientKeyPair.jwks(key))

        let error = try await Self.refusal(fixture, try key.sign(.valid(for: client.id)))
        #expect(error?.code == .invalidClient)
        #expect(error?.description == ClientAuthenticator.failureDescription)
    }

    // MARK: - Refused: the claims (RFC 7523 §3)

    @Test func audienceMustNameThisServer() async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await Self.setUp(key)
        defer { fixture.close() }

        var claims = AssertionClaims.valid(for: client.id)
        claims.aud = .one("https://other-as.example/token")
        let error = try await Self.refusal(fixture, try key.sign(claims))
        #expect(error?.code == .invalidClient)
        #expect(error?.description?.contains("aud") == true)
    }

    @Test func issuerAndSubjectMustBothBeTheClientID() async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await Self.setUp(key)
        defer { fixture.close() }

        var claims = AssertionClaims.valid(for: client.id)
        claims.iss = "someone-else"
        let error = try await Self.refusal(fixture, try key.sign(claims))
        #expect(error?.code == .invalidClient)
        #expect(error?.description?.contains("iss and sub") == true)
    }

    @Test func clientIDInTheBodyMustBeTheAssertionsSubject() async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await Self.setUp(key)
        defer { fixture.close() }

        // Signed by the client's own key, but about another client.
        let claims = AssertionClaims.valid(for: "another-client")
        let error = try await Self.refusal(fixture, try key.sign(claims), clientID: client.id)
        #expect(error?.code == .invalidClient)
        #expect(error?.description?.contains("iss and sub") == true)
    }

    @Test func expiredAssertionIsRefusedBeyondTheLeeway() async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await Self.setUp(key)
        defer { fixture.close() }
        let now = AuthenticationFixture.now.timeIntervalSince1970

        var withinLeeway = AssertionClaims.valid(for: client.id)
        withinLeeway.exp = now - 20
        _ = try await Self.authenticate(fixture, try key.sign(withinLeeway))

        var expired = AssertionClaims.valid(for: client.id)
        expired.exp = now - 31
        let error = try await Self.refusal(fixture, try key.sign(expired))
        #expect(error?.code == .invalidClient)
        #expect(error?.description?.contains("expired") == true)
    }

    @Test func assertionMayNotBeValidForMoreThanFiveMinutes() async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await Self.setUp(key)
        defer { fixture.close() }
        let now = AuthenticationFixture.now.timeIntervalSince1970

        var fiveMinutes = AssertionClaims.valid(for: client.id)
        fiveMinutes.exp = now + 300
        _ = try await Self.authenticate(fixture, try key.sign(fiveMinutes))

        var tooLong = AssertionClaims.valid(for: client.id)
        tooLong.exp = now + 400
        let error = try await Self.refusal(fixture, try key.sign(tooLong))
        #expect(error?.code == .invalidClient)
        #expect(error?.description?.contains("300 seconds") == true)
    }

    @Test func assertionWithoutExpIsRefused() async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await Self.setUp(key)
        defer { fixture.close() }

        var claims = AssertionClaims.valid(for: client.id)
        claims.exp = nil
        #expect(try await Self.refusal(fixture, try key.sign(claims))?.description?.contains("no exp") == true)
    }

    @Test func notBeforeAndIssuedAtInTheFutureAreRefused() async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await Self.setUp(key)
        defer { fixture.close() }
        let now = AuthenticationFixture.now.timeIntervalSince1970

        var notYet = AssertionClaims.valid(for: client.id)
        notYet.nbf = now + 120
        #expect(try await Self.refusal(fixture, try key.sign(notYet))?.description?.contains("nbf") == true)

        var fromTheFuture = AssertionClaims.valid(for: client.id)
        fromTheFuture.iat = now + 120
        #expect(try await Self.refusal(fixture, try key.sign(fromTheFuture))?.description?.contains("iat") == true)
    }

    @Test func assertionWithoutJTIIsRefused() async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await Self.setUp(key)
        defer { fixture.close() }

        var claims = AssertionClaims.valid(for: client.id)
        claims.jti = nil
        let error = try await Self.refusal(fixture, try key.sign(claims))
        #expect(error?.code == .invalidClient)
        #expect(error?.description?.contains("jti") == true)
    }

    @Test func replayedAssertionIsRefusedTheSecondTime() async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await Self.setUp(key)
        defer { fixture.close() }
        let assertion = try key.sign(.valid(for: client.id))

        _ = try await Self.authenticate(fixture, assertion)
        let error = try await Self.refusal(fixture, assertion)
        #expect(error?.code == .invalidClient)
        #expect(error?.description?.contains("already used") == true)
        // A fresh jti from the same client is fine.
        _ = try await Self.authenticate(fixture, try key.sign(.valid(for: client.id)))
    }

    @Test func disabledClientIsRefusedEvenWithAValidAssertion() async throws {
        let key = try await ClientKeyPair.es256()
        let fixture = try await AuthenticationFixture.make()
        defer { fixture.close() }
        let client = try await fixture.insertClient(.privateKeyJWT, jwks: ClientKeyPair.jwks(key), status: .disabled)

        let error = try await Self.refusal(fixture, try key.sign(.valid(for: client.id)))
        #expect(error?.code == .invalidClient)
        #expect(error?.description == "the client is disabled")
    }

    @Test func replayRecordOutageIsTemporarilyUnavailable() async throws {
        struct DownAssertions: ClientAssertionStore {
            func recordClientAssertion(tenantID: UUID, clientID: String, jti: String, expiresAt: Date) async throws {
                throw StoreError.unavailable("connection refused")
            }
        }
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await Self.setUp(key)
        defer { fixture.close() }
        let authenticator = ClientAuthenticator(
            directory: StoreClientDirectory(store: fixture.store), assertions: DownAssertions(),
            clock: { AuthenticationFixture.now })

        let request = try fixture.request(form: AuthenticationFixture.assertionForm(try key.sign(.valid(for: client.id))))
        do {
            let authenticated = try await authenticator.authenticate(request)
            Issue.record("authenticated \(authenticated.client.id) without recording the jti")
        } catch {
            #expect(error.code == .temporarilyUnavailable)
            #expect(error.status == 503)
        }
    }

    @Test func clientAssertionTypeMustBeJWTBearer() async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await Self.setUp(key)
        defer { fixture.close() }

        let form = "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Asaml2-bearer"
            + "&client_assertion=\(try key.sign(.valid(for: client.id)))"
        #expect(await fixture.failure(of: try fixture.request(form: form))?.code == .invalidClient)
    }
}

@Test func advertisedAssertionAlgorithmsAreAsymmetricOnly() {
    let algorithms = ClientAuthenticator.assertionSigningAlgorithms
    #expect(algorithms.contains("ES256") && algorithms.contains("RS256") && algorithms.contains("EdDSA"))
    #expect(!algorithms.contains { $0.hasPrefix("HS") || $0.lowercased() == "none" })
}
