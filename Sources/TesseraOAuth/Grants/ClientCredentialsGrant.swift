import TesseraCore
import TesseraJOSE

/// RFC 6749 §4.4: a client acting on its own behalf. `sub` is the client id (INTERFACE.md).
/// No database row is touched: the client came from the cache, the key from the key ring.
public struct ClientCredentialsGrant: GrantHandler {
    public let grantType = GrantType.clientCredentials
    /// §4.4: only confidential clients.
    public let allowsPublicClients = false
    let issuer: AccessTokenIssuer

    public init(issuer: AccessTokenIssuer) { self.issuer = issuer }

    // RFC 6749 §4.4.2, RFC 8707 §2.2
    public func handle(
        _ request: TokenRequest, client: AuthenticatedClient
    ) async throws(OAuthError)
        -> TokenResponse
    {
        let scope = try ScopePolicy.grant(requested: request.form["scope"], allowed: client.client.scopes)
        let audience = try AudiencePolicy.audience(
            requested: request.form.values("resource"), client: client.client, issuer: request.issuer,
            resources: request.tenant.tenant.resources)
        let issued = try issuer.issue(
            subject: client.client.id, client: client.client, scope: scope, audience: audience, tenant: request.tenant,
            confirmation: request.confirmation)
        // §4.4.3: no refresh token.
        return TokenResponse(
            accessToken: issued.token, expiresIn: issued.expiresIn, scope: scope.description,
            tokenType: request.tokenType)
    }
}
