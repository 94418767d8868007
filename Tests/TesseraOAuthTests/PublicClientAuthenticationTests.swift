import Foundation
import TesseraCore
import TesseraOAuth
import Testing

/// `none` (RFC 6749 §2.1): a public client names itself with `client_id`, where the endpoint
/// admits public clients, and only if it is registered as public.
@Suite struct PublicClientAuthenticationTests {
    @Test func publicClientIdentifiesItselfWhereTheEndpointAllowsIt() async throws {
        let fixture = try await AuthenticationFixture.make()
        defer { fixture.close() }
        let client = try await fixture.insertClient(.none)

        let result = try await fixture.authenticator.authenticate(
            fixture.request(form: "client_id=\(client.id)", allowPublic: true))
        #expect(result.client.id == client.id)
        #expect(result.method == .none)
    }

    @Test func publicClientIsRefusedWhereTheEndpointRequiresAuthentication() async throws {
        let fixture = try await AuthenticationFixture.make()
        defer { fixture.close() }
        let client = try await fixture.insertClient(.none)

        let error = await fixture.failure(of: try fixture.request(form: "client_id=\(client.id)", allowPublic: false))
        #expect(error?.code == .invalidClient)
        #expect(error?.status == 401)
    }

    @Test func confidentialClientCannotSkipItsSecretByNamingItselfOnly() async throws {
        let fixture = try await AuthenticationFixture.make()
        defer { fixture.close() }
        let client = try await fixture.insertClient(.clientSecretBasic)

        let error = await fixture.failure(of: try fixture.request(form: "client_id=\(client.id)", allowPublic: true))
        #expect(error?.code == .invalidClient)
        #expect(error?.description == ClientAuthenticator.failureDescription)
    }

    @Test func unknownAndDisabledPublicClientsAreRefused() async throws {
        let fixture = try await AuthenticationFixture.make()
        defer { fixture.close() }
        let disabled = try await fixture.insertClient(.none, status: .disabled)

        for id in [disabled.id, "nobody"] {
            let error = await fixture.failure(of: try fixture.request(form: "client_id=\(id)", allowPublic: true))
            #expect(error?.code == .invalidClient)
        }
    }
}
