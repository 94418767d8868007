import TesseraCore

extension TokenRequest {
    /// The one way the token, introspection and revocation endpoints learn who is calling:
    /// authenticate the client (RFC 6749 §2.3), then charge its request budget.
    func authenticateClient(
        with authenticator: ClientAuthenticator, rateLimit: ClientRateLimit, allowPublic: Bool
    ) async throws(OAuthError) -> AuthenticatedClient {
        let client = try await authenticator.authenticate(
            ClientAuthenticationRequest(
                tenantID: tenant.id, authorizationHeader: authorizationHeader, form: form,
                acceptedAudiences: [tokenEndpoint, issuer], allowPublic: allowPublic))
        try await rateLimit.admit(client, tenant: tenant)
        return client
    }
}
