import Foundation
import TesseraCore
import TesseraJOSE
import TesseraStore

extension ClientAuthenticator {
    /// `private_key_jwt` (RFC 7523 §2.2 and §3; OpenID Connect Core §9): the client signs a
    /// short-lived JWT about itself with a key whose public half it registered.
    ///
    /// Order matters: what the assertion says about itself is only believed after its
    /// signature verified with the named client's own key. Until then every failure reads
    /// `client authentication failed`; after it, the rule that failed is named.
    func authenticateAssertion(
        _ token: String, clientID formClientID: String?, request: ClientAuthenticationRequest
    )
        async throws(OAuthError) -> AuthenticatedClient
    {
        let assertion = try ClientAssertion(parsing: token)
        // RFC 7521 §4.2: client_id is optional here; the assertion's sub names the client.
        // Whichever names it, iss and sub must equal its id (checked below, once verified).
        guard let clientID = formClientID ?? assertion.claims.sub,
            let client = try await lookUp(tenantID: request.tenantID, clientID: clientID, tenant: request.tenant),
            client.authMethod == .privateKeyJWT, let jwks = client.jwks
        else { throw .invalidClient(Self.failureDescription) }

        let keys = await keyCache.keys(of: client, jwks: jwks)
        guard keys.verifies(assertion.jws, accepting: request.assertionAlgorithms) else {
            throw .invalidClient(Self.failureDescription)
        }

        // The client's own key signed this: from here the caller may learn why it is refused.
        guard client.status == .active else { throw .invalidClient("the client is disabled") }
        let (jti, expiresAt) = try ClientAssertionRules.check(
            assertion.claims, clientID: client.id, acceptedAudiences: request.acceptedAudiences, now: clock())

        // RFC 7523 §3 item 7: each jti is accepted once. The store remembers it until exp, after
        // which the assertion is refused as expired anyway.
        do {
            try await assertions.recordClientAssertion(
                tenantID: client.tenantID, clientID: client.id, jti: jti, expiresAt: expiresAt)
        } catch StoreError.conflict {
            throw .invalidClient("the client assertion was already used; its jti is single-use")
        } catch {
            throw .temporarilyUnavailable("the assertion replay record is unavailable; try again shortly")
        }
        return AuthenticatedClient(client: client, method: .privateKeyJWT)
    }
}
