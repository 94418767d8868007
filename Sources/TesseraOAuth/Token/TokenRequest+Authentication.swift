import TesseraCore

extension TokenRequest {
    /// The one way the token, introspection, revocation, device and PAR endpoints learn who is
    /// calling: authenticate the client (RFC 6749 §2.3) by a method the tenant's profile allows,
    /// then charge its request budget. `endpoint` is the called endpoint's URL, which a client
    /// assertion may name as its `aud` (RFC 9126 §2 for PAR); nil is the token endpoint.
    func authenticateClient(
        with authenticator: ClientAuthenticator, rateLimit: ClientRateLimit, allowPublic: Bool,
        endpoint: String? = nil
    ) async throws(OAuthError) -> AuthenticatedClient {
        let allowed = tenant.allowedAuthenticationMethods
        var audiences = tenant.assertionAudiences(endpoint: tokenEndpoint)
        if let endpoint, endpoint != tokenEndpoint, tenant.settings.securityProfile != .fapi2 {
            audiences.append(endpoint)
        }
        var request = ClientAuthenticationRequest(
            tenantID: tenant.id, authorizationHeader: authorizationHeader, form: form,
            acceptedAudiences: audiences, allowPublic: allowPublic && allowed == nil,
            assertionAlgorithms: tenant.proofAlgorithms, certificate: certificate)
        request.tenant = tenant
        let client = try await authenticator.authenticate(request)
        if let allowed, !allowed.contains(client.method) {
            throw .invalidClient(
                "this tenant follows FAPI 2.0: clients authenticate with "
                    + allowed.map(\.rawValue).sorted().joined(separator: " or "))
        }
        try await rateLimit.admit(client, tenant: tenant)
        return client
    }
}
