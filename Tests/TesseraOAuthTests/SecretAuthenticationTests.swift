import Foundation
import TesseraCore
import TesseraOAuth
import TesseraStore
import Testing

/// `client_secret_basic` and `client_secret_post` (RFC 6749 §2.3.1), and the rules every
/// method shares: one method per request, only the registered method, nothing learned from a
/// failure without the secret.
@Suite struct SecretAuthenticationTests {
    @Test func basicClientAuthenticatesWithItsSecretInTheAuthorizationHeader() async throws {
        let fixture = try await AuthenticationFixture.make()
        defer { fixture.close() }
        let client = try await fixture.insertClient(.clientSecretBasic)

        let result = try await fixture.authenticator.authenticate(
            fixture.request(authorization: basicHeader(client.id, AuthenticationFixture.secret)))
        #expect(result.client.id == client.id)
        #expect(result.method == .clientSecretBasic)
    }

    @Test func basicCredentialsAreFormDecodedSoColonsPercentsAndSpacesSurvive() async throws {
        let fixture = try await AuthenticationFixture.make()
        defer { fixture.close() }
        let id = "svc:orders/ä+1"
        let secret = "p@ss:w%rd +&=ü"
        try await fixture.insertClient(.clientSecretBasic, id: id, secret: secret)

        let result = try await fixture.authenticator.authenticate(
            fixture.request(authorization: basicHeader(id, secret)))
        #expect(result.client.id == id)
        // The same bytes without the form encoding are a different secret: "+" reads as space.
        let raw = "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString()
        let error = await fixture.failure(of: try fixture.request(authorization: raw))
        #expect(error?.code == .invalidClient)
    }

    @Test func basicSchemeNameIsCaseInsensitive() async throws {
        let fixture = try await AuthenticationFixture.make()
        defer { fixture.close() }
        let client = try await fixture.insertClient(.clientSecretBasic)
        let header = basicHeader(client.id, AuthenticationFixture.secret).replacingOccurrences(
            of: "Basic", with: "bAsIc")

        let result = try await fixture.authenticator.authenticate(fixture.request(authorization: header))
        #expect(result.method == .clientSecretBasic)
    }

    @Test func postClientAuthenticatesWithClientIDAndSecretInTheBody() async throws {
        let fixture = try await AuthenticationFixture.make()
        defer { fixture.close() }
        let client = try await fixture.insertClient(.clientSecretPost)

        let result = try await fixture.authenticator.authenticate(
            fixture.request(form: "client_id=\(client.id)&client_secret=\(formEncode(AuthenticationFixture.secret))"))
        #expect(result.client.id == client.id)
        #expect(result.method == .clientSecretPost)
    }

    @Test func wrongSecretIsInvalidClientWithABasicChallenge() async throws {
        let fixture = try await AuthenticationFixture.make()
        defer { fixture.close() }
        let client = try await fixture.insertClient(.clientSecretBasic)

        let error = try #require(
            await fixture.failure(of: try fixture.request(authorization: basicHeader(client.id, "guess"))))
        #expect(error.code == .invalidClient)
        #expect(error.status == 401)
        #expect(error.description == ClientAuthenticator.failureDescription)
        #expect(error.wwwAuthenticate == #"Basic realm="tessera", error="invalid_client""#)
    }

    @Test func unknownClientGetsExactlyTheAnswerOfAWrongSecret() async throws {
        let fixture = try await AuthenticationFixture.make()
        defer { fixture.close() }
        let client = try await fixture.insertClient(.clientSecretBasic)

        let wrongSecret = await fixture.failure(of: try fixture.request(authorization: basicHeader(client.id, "guess")))
        let unknownClient = await fixture.failure(
            of: try fixture.request(authorization: basicHeader("no-such-client", AuthenticationFixture.secret)))
        #expect(wrongSecret != nil)
        #expect(unknownClient == wrongSecret)

        let wrongPost = await fixture.failure(
            of: try fixture.request(form: "client_id=\(client.id)&client_secret=guess"))
        let unknownPost = await fixture.failure(of: try fixture.request(form: "client_id=nobody&client_secret=guess"))
        #expect(wrongPost?.code == .invalidClient)
        #expect(unknownPost == wrongPost)
    }

    @Test func clientOfAnotherTenantIsUnknownHere() async throws {
        let fixture = try await AuthenticationFixture.make()
        defer { fixture.close() }
        let otherTenant = try await AuthenticationFixture.insertTenant(into: fixture.store)
        let stranger = try await fixture.insertClient(.clientSecretBasic, in: otherTenant)

        let error = await fixture.failure(
            of: try fixture.request(authorization: basicHeader(stranger.id, AuthenticationFixture.secret)))
        #expect(error?.code == .invalidClient)
        #expect(error?.description == ClientAuthenticator.failureDescription)
    }

    @Test func disabledClientIsRefusedEvenWithTheRightSecret() async throws {
        let fixture = try await AuthenticationFixture.make()
        defer { fixture.close() }
        let client = try await fixture.insertClient(.clientSecretBasic, status: .disabled)

        let error = await fixture.failure(
            of: try fixture.request(authorization: basicHeader(client.id, AuthenticationFixture.secret)))
        #expect(error?.code == .invalidClient)
        #expect(error?.description == "the client is disabled")
        // Without the secret, a disabled client is just a failed authentication.
        let guess = await fixture.failure(of: try fixture.request(authorization: basicHeader(client.id, "guess")))
        #expect(guess?.description == ClientAuthenticator.failureDescription)
    }

    @Test func clientMayOnlyUseTheMethodItIsRegisteredFor() async throws {
        let fixture = try await AuthenticationFixture.make()
        defer { fixture.close() }
        let basicClient = try await fixture.insertClient(.clientSecretBasic)
        let postClient = try await fixture.insertClient(.clientSecretPost)
        let secret = formEncode(AuthenticationFixture.secret)

        let postByBasicClient = await fixture.failure(
            of: try fixture.request(form: "client_id=\(basicClient.id)&client_secret=\(secret)"))
        #expect(postByBasicClient?.code == .invalidClient)
        #expect(postByBasicClient?.description?.contains("registered for client_secret_basic") == true)

        let basicByPostClient = await fixture.failure(
            of: try fixture.request(authorization: basicHeader(postClient.id, AuthenticationFixture.secret)))
        #expect(basicByPostClient?.code == .invalidClient)
        #expect(basicByPostClient?.description?.contains("registered for client_secret_post") == true)
    }

    @Test func secretPresentedForAClientWithoutOneFailsLikeAWrongSecret() async throws {
        let fixture = try await AuthenticationFixture.make()
        defer { fixture.close() }
        let publicClient = try await fixture.insertClient(.none)

        let error = await fixture.failure(
            of: try fixture.request(authorization: basicHeader(publicClient.id, AuthenticationFixture.secret)))
        #expect(error?.code == .invalidClient)
        #expect(error?.description == ClientAuthenticator.failureDescription)
    }

    @Test(arguments: [
        (basic: true, form: "client_secret=x"),
        (basic: false, form: "client_id=c&client_secret=x&client_assertion_type=t&client_assertion=a"),
        (basic: true, form: "client_assertion_type=t&client_assertion=a"),
    ])
    func usingTwoMethodsInOneRequestIsInvalidRequest(basic: Bool, form: String) async throws {
        let fixture = try await AuthenticationFixture.make()
        defer { fixture.close() }
        let client = try await fixture.insertClient(.clientSecretBasic)

        let error = await fixture.failure(
            of: try fixture.request(
                authorization: basic ? basicHeader(client.id, AuthenticationFixture.secret) : nil, form: form))
        #expect(error?.code == .invalidRequest)
        #expect(error?.status == 400)
    }

    @Test func requestWithoutAnyCredentialsIsUnauthorizedWithABasicChallenge() async throws {
        let fixture = try await AuthenticationFixture.make()
        defer { fixture.close() }

        let error = try #require(await fixture.failure(of: try fixture.request(form: "grant_type=client_credentials")))
        #expect(error.code == .invalidClient)
        #expect(error.status == 401)
        #expect(error.wwwAuthenticate == #"Basic realm="tessera""#)
    }

    @Test(arguments: [
        "Basic", "Basic !!!notbase64", "Basic " + Data("no-colon".utf8).base64EncodedString(),
        "Basic " + Data(":secret-without-id".utf8).base64EncodedString(),
        "Basic " + Data("id:bad%zzencoding".utf8).base64EncodedString(),
    ])
    func unreadableBasicHeaderIsInvalidClient(header: String) async throws {
        let fixture = try await AuthenticationFixture.make()
        defer { fixture.close() }

        let error = await fixture.failure(of: try fixture.request(authorization: header))
        #expect(error?.code == .invalidClient)
        #expect(error?.wwwAuthenticate?.contains(#"error="invalid_client""#) == true)
    }

    @Test func clientIDInTheBodyMustNameTheClientOfTheBasicHeader() async throws {
        let fixture = try await AuthenticationFixture.make()
        defer { fixture.close() }
        let client = try await fixture.insertClient(.clientSecretBasic)
        let header = basicHeader(client.id, AuthenticationFixture.secret)

        let same = try await fixture.authenticator.authenticate(
            fixture.request(authorization: header, form: "client_id=\(client.id)"))
        #expect(same.client.id == client.id)
        let other = await fixture.failure(
            of: try fixture.request(authorization: header, form: "client_id=someone-else"))
        #expect(other?.code == .invalidRequest)
    }

    @Test func anAuthorizationHeaderOfAnotherSchemeIsNotClientCredentials() async throws {
        let fixture = try await AuthenticationFixture.make()
        defer { fixture.close() }
        let client = try await fixture.insertClient(.clientSecretPost)

        let result = try await fixture.authenticator.authenticate(
            fixture.request(
                authorization: "Bearer some-token",
                form: "client_id=\(client.id)&client_secret=\(formEncode(AuthenticationFixture.secret))"))
        #expect(result.method == .clientSecretPost)
    }

    @Test func clientRegistryOutageIsTemporarilyUnavailable() async throws {
        struct DownDirectory: ClientDirectory {
            func client(tenantID: UUID, id: String) async throws -> Client? {
                throw StoreError.unavailable("connection refused")
            }
        }
        struct NoAssertions: ClientAssertionStore {
            func recordClientAssertion(tenantID: UUID, clientID: String, jti: String, expiresAt: Date) async throws {}
        }
        let authenticator = ClientAuthenticator(directory: DownDirectory(), assertions: NoAssertions())
        let request = ClientAuthenticationRequest(
            tenantID: UUID(), authorizationHeader: basicHeader("client", "secret"), form: .empty,
            acceptedAudiences: [], allowPublic: false)

        await #expect(
            throws: OAuthError.temporarilyUnavailable("the client registry is unavailable; try again shortly")
        ) {
            try await authenticator.authenticate(request)
        }
    }
}
