import Foundation
import JWTKit
import TesseraCore
import TesseraOAuth
import Testing

/// How a `private_key_jwt` assertion's key is chosen and its signature checked: by `kid`,
/// among the named client's registered keys only, with the algorithm the key is for. Each
/// forged assertion differs from a valid one by the one rule under test.
@Suite struct ClientAssertionKeyTests {

    @Test func assertionSignedByAnotherKeyUnderTheRegisteredKidIsRefused() async throws {
        let key = try await ClientKeyPair.es256()
        let impostor = try await ClientKeyPair.es256()
        let (fixture, client) = try await PrivateKeyJWT.fixture(registering: key)
        defer { fixture.close() }

        let forged = try impostor.sign(.valid(for: client.id), header: key.header)
        let error = try await PrivateKeyJWT.refusal(fixture, assertion: forged)
        #expect(error?.code == .invalidClient)
        #expect(error?.description == ClientAuthenticator.failureDescription)
    }

    @Test func unknownKidDoesNotFallBackToTheClientsOnlyKey() async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await PrivateKeyJWT.fixture(registering: key)
        defer { fixture.close() }

        // Properly signed with the registered key: only the kid is wrong.
        let assertion = try key.sign(.valid(for: client.id), header: #"{"alg":"ES256","kid":"made-up"}"#)
        #expect(try await PrivateKeyJWT.refusal(fixture, assertion: assertion)?.code == .invalidClient)
    }

    @Test func kidIsRequiredWhenTheClientHasSeveralKeys() async throws {
        let first = try await ClientKeyPair.es256()
        let second = try await ClientKeyPair.es256()
        let (fixture, client) = try await PrivateKeyJWT.fixture(registering: first, second)
        defer { fixture.close() }

        let assertion = try first.sign(.valid(for: client.id), header: #"{"alg":"ES256"}"#)
        #expect(try await PrivateKeyJWT.refusal(fixture, assertion: assertion)?.code == .invalidClient)
    }

    @Test func algNoneIsRefused() async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await PrivateKeyJWT.fixture(registering: key)
        defer { fixture.close() }

        let header = Base64URL.encode(Array(#"{"alg":"none","kid":"\#(key.kid)"}"#.utf8))
        let payload = Base64URL.encode(try AssertionClaims.valid(for: client.id).json())
        let error = try await PrivateKeyJWT.refusal(fixture, assertion: header + "." + payload + ".")
        #expect(error?.code == .invalidClient)
        #expect(error?.description?.contains("alg is not accepted") == true)
    }

    @Test func hs256KeyedWithTheClientsPublicKeyIsRefused() async throws {
        let key = try await ClientKeyPair.rs256()
        let (fixture, client) = try await PrivateKeyJWT.fixture(registering: key)
        defer { fixture.close() }

        let hmac = try await ClientKeyPair.algorithm { collection, slot in
            await collection.add(hmac: HMACKey(from: key.publicJWK), digestAlgorithm: .sha256, kid: slot)
        }
        let confused = key.resigning(as: "HS256", with: hmac)
        let error = try await PrivateKeyJWT.refusal(fixture, assertion: try confused.sign(.valid(for: client.id)))
        #expect(error?.code == .invalidClient)
        #expect(error?.description?.contains("alg is not accepted") == true)
    }

    @Test func headerAlgMustBeTheAlgorithmTheKeyIsRegisteredFor() async throws {
        let key = try await ClientKeyPair.rs256()
        let (fixture, client) = try await PrivateKeyJWT.fixture(registering: key)
        defer { fixture.close() }
        // The client's JWK says alg RS256; this assertion is genuinely signed by the same RSA key
        // with RS384 and says so.
        let rsa = try #require(key.rsaPrivateKey)
        let rs384 = try await ClientKeyPair.algorithm { collection, slot in
            await collection.add(rsa: rsa, digestAlgorithm: .sha384, kid: slot)
        }
        let other = key.resigning(as: "RS384", with: rs384)

        #expect(
            try await PrivateKeyJWT.refusal(fixture, assertion: try other.sign(.valid(for: client.id)))?.code
                == .invalidClient)
    }

    @Test(arguments: ["jwk", "jku", "x5u", "x5c", "crit"])
    func headerParametersThatChooseTheKeyAreRefused(parameter: String) async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, client) = try await PrivateKeyJWT.fixture(registering: key)
        defer { fixture.close() }

        let header = #"{"alg":"ES256","kid":"\#(key.kid)","\#(parameter)":"https://attacker.example/keys"}"#
        let error = try await PrivateKeyJWT.refusal(
            fixture, assertion: try key.sign(.valid(for: client.id), header: header))
        #expect(error?.code == .invalidClient)
        #expect(error?.description?.contains(parameter) == true)
    }

    @Test(arguments: ["", "abc", "a.b", "a.b.c.d", "!!.e30.AA", "eyJhbGciOiJFUzI1NiJ9.e30"])
    func assertionThatIsNotACompactJWSIsRefused(assertion: String) async throws {
        let key = try await ClientKeyPair.es256()
        let (fixture, _) = try await PrivateKeyJWT.fixture(registering: key)
        defer { fixture.close() }

        let error = try await PrivateKeyJWT.refusal(fixture, assertion: assertion)
        // An empty client_assertion is an absent one: the type alone is a malformed request.
        #expect(error?.code == (assertion.isEmpty ? .invalidRequest : .invalidClient))
    }

    @Test func keysLeftOnAClientRegisteredForASecretAreNotAccepted() async throws {
        let key = try await ClientKeyPair.es256()
        let fixture = try await AuthenticationFixture.make()
        defer { fixture.close() }
        // Registered for client_secret_basic, with a JWKS left over from an earlier registration.
        let client = try await fixture.insertClient(.clientSecretBasic, jwks: ClientKeyPair.jwks(key))

        let error = try await PrivateKeyJWT.refusal(fixture, assertion: try key.sign(.valid(for: client.id)))
        #expect(error?.code == .invalidClient)
        #expect(error?.description == ClientAuthenticator.failureDescription)
    }
}
