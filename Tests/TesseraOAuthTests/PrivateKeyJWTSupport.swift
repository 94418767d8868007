import Foundation
import TesseraCore
import TesseraOAuth
import Testing

/// Shared steps of the `private_key_jwt` suites: a fixture with one client registered with the
/// given public keys, and a token request carrying an assertion.
enum PrivateKeyJWT {
    static func fixture(registering keys: ClientKeyPair...) async throws -> (AuthenticationFixture, Client) {
        let fixture = try await AuthenticationFixture.make()
        let jwks = "{\"keys\":[" + keys.map(\.publicJWK).joined(separator: ",") + "]}"
        let client = try await fixture.insertClient(.privateKeyJWT, jwks: jwks)
        return (fixture, client)
    }

    static func authenticate(
        _ fixture: AuthenticationFixture, assertion: String, clientID: String? = nil
    )
        async throws -> AuthenticatedClient
    {
        try await fixture.authenticator.authenticate(
            fixture.request(form: AuthenticationFixture.assertionForm(assertion, clientID: clientID)))
    }

    static func refusal(
        _ fixture: AuthenticationFixture, assertion: String, clientID: String? = nil
    ) async throws
        -> OAuthError?
    {
        let form = AuthenticationFixture.assertionForm(assertion, clientID: clientID)
        return await fixture.failure(of: try fixture.request(form: form))
    }
}
