import Foundation
import TesseraCore
import TesseraOAuth
import TesseraStore
import Testing

/// The RFC 7523 §3 claim rules for a `private_key_jwt` assertion whose signature verified.
/// Each assertion is properly signed by the client's key, so the claim under test is the only
/// reason it can fail; boundaries are shown accepted on one side and refused on the other.
@Suite struct ClientAssertionClaimTests {

    @Test func audienceMustNameThisServer() async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await PrivateKeyJWT.fixture(registering: key)
        defer { fixture.close() }

        var claims = AssertionClaims.valid(for: client.id)
        claims.aud = .one("https://other-as.example/token")
        let error = try await PrivateKeyJWT.refusal(fixture, assertion: try key.sign(claims))
        #expect(error?.code == .invalidClient)
        #expect(error?.description?.contains("aud") == true)
    }

    @Test func issuerAndSubjectMustBothBeTheClientID() async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await PrivateKeyJWT.fixture(registering: key)
        defer { fixture.close() }

        var claims = AssertionClaims.valid(for: client.id)
        claims.iss = "someone-else"
        let error = try await PrivateKeyJWT.refusal(fixture, assertion: try key.sign(claims))
        #expect(error?.code == .invalidClient)
        #expect(error?.description?.contains("iss and sub") == true)
    }

    @Test func clientIDInTheBodyMustBeTheAssertionsSubject() async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await PrivateKeyJWT.fixture(registering: key)
        defer { fixture.close() }

        // Signed by the client's own key, but about another client.
        let claims = AssertionClaims.valid(for: "another-client")
        let error = try await PrivateKeyJWT.refusal(fixture, assertion: try key.sign(claims), clientID: client.id)
        #expect(error?.code == .invalidClient)
        #expect(error?.description?.contains("iss and sub") == true)
    }

    @Test func expiredAssertionIsRefusedBeyondTheLeeway() async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await PrivateKeyJWT.fixture(registering: key)
        defer { fixture.close() }
        let now = AuthenticationFixture.now.timeIntervalSince1970

        var withinLeeway = AssertionClaims.valid(for: client.id)
        withinLeeway.exp = now - 20
        _ = try await PrivateKeyJWT.authenticate(fixture, assertion: try key.sign(withinLeeway))

        var expired = AssertionClaims.valid(for: client.id)
        expired.exp = now - 31
        let error = try await PrivateKeyJWT.refusal(fixture, assertion: try key.sign(expired))
        #expect(error?.code == .invalidClient)
        #expect(error?.description?.contains("expired") == true)
    }

    @Test func assertionMayNotBeValidForMoreThanAnHour() async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await PrivateKeyJWT.fixture(registering: key)
        defer { fixture.close() }
        let now = AuthenticationFixture.now.timeIntervalSince1970

        var anHour = AssertionClaims.valid(for: client.id)
        anHour.exp = now + 3_600
        _ = try await PrivateKeyJWT.authenticate(fixture, assertion: try key.sign(anHour))

        var tooLong = AssertionClaims.valid(for: client.id)
        tooLong.exp = now + 3_700
        let error = try await PrivateKeyJWT.refusal(fixture, assertion: try key.sign(tooLong))
        #expect(error?.code == .invalidClient)
        #expect(error?.description?.contains("3600 seconds") == true)
    }

    @Test func assertionWithoutExpIsRefused() async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await PrivateKeyJWT.fixture(registering: key)
        defer { fixture.close() }

        var claims = AssertionClaims.valid(for: client.id)
        claims.exp = nil
        #expect(
            try await PrivateKeyJWT.refusal(fixture, assertion: try key.sign(claims))?.description?.contains("no exp")
                == true)
    }

    @Test func notBeforeAndIssuedAtInTheFutureAreRefused() async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await PrivateKeyJWT.fixture(registering: key)
        defer { fixture.close() }
        let now = AuthenticationFixture.now.timeIntervalSince1970

        var notYet = AssertionClaims.valid(for: client.id)
        notYet.nbf = now + 120
        #expect(
            try await PrivateKeyJWT.refusal(fixture, assertion: try key.sign(notYet))?.description?.contains("nbf")
                == true)

        var fromTheFuture = AssertionClaims.valid(for: client.id)
        fromTheFuture.iat = now + 120
        #expect(
            try await PrivateKeyJWT.refusal(fixture, assertion: try key.sign(fromTheFuture))?.description?.contains(
                "iat") == true)
    }

    @Test func assertionWithoutJTIIsRefused() async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await PrivateKeyJWT.fixture(registering: key)
        defer { fixture.close() }

        var claims = AssertionClaims.valid(for: client.id)
        claims.jti = nil
        let error = try await PrivateKeyJWT.refusal(fixture, assertion: try key.sign(claims))
        #expect(error?.code == .invalidClient)
        #expect(error?.description?.contains("jti") == true)
    }

    @Test func replayedAssertionIsRefusedTheSecondTime() async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await PrivateKeyJWT.fixture(registering: key)
        defer { fixture.close() }
        let assertion = try key.sign(.valid(for: client.id))

        _ = try await PrivateKeyJWT.authenticate(fixture, assertion: assertion)
        let error = try await PrivateKeyJWT.refusal(fixture, assertion: assertion)
        #expect(error?.code == .invalidClient)
        #expect(error?.description?.contains("already used") == true)
        // A fresh jti from the same client is fine.
        _ = try await PrivateKeyJWT.authenticate(fixture, assertion: try key.sign(.valid(for: client.id)))
    }

    @Test func disabledClientIsRefusedEvenWithAValidAssertion() async throws {
        let key = try await ClientKeyPair.es256()
        let fixture = try await AuthenticationFixture.make()
        defer { fixture.close() }
        let client = try await fixture.insertClient(.privateKeyJWT, jwks: ClientKeyPair.jwks(key), status: .disabled)

        let error = try await PrivateKeyJWT.refusal(fixture, assertion: try key.sign(.valid(for: client.id)))
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
        let (fixture, client) = try await PrivateKeyJWT.fixture(registering: key)
        defer { fixture.close() }
        let authenticator = ClientAuthenticator(
            directory: StoreClientDirectory(store: fixture.store), assertions: DownAssertions(),
            clock: { AuthenticationFixture.now })

        let request = try fixture.request(
            form: AuthenticationFixture.assertionForm(try key.sign(.valid(for: client.id))))
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
        let (fixture, client) = try await PrivateKeyJWT.fixture(registering: key)
        defer { fixture.close() }

        let form =
            "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Asaml2-bearer"
            + "&client_assertion=\(try key.sign(.valid(for: client.id)))"
        #expect(await fixture.failure(of: try fixture.request(form: form))?.code == .invalidClient)
    }
}
