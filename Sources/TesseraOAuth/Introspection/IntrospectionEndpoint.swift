import Foundation
import TesseraCore
import TesseraJOSE

/// RFC 7662: any authenticated confidential client of the tenant may ask about a token. A valid
/// JWT is answered from memory (keys and revocations), touching no database row.
public struct IntrospectionEndpoint: Sendable {
    let authenticator: ClientAuthenticator
    let validator: AccessTokenValidator
    let rateLimit: ClientRateLimit
    let refreshTokens: RefreshTokenIntrospection?

    public init(
        authenticator: ClientAuthenticator, validator: AccessTokenValidator, rateLimit: ClientRateLimit,
        refreshTokens: RefreshTokenIntrospection? = nil
    ) {
        self.authenticator = authenticator
        self.validator = validator
        self.rateLimit = rateLimit
        self.refreshTokens = refreshTokens
    }

    // RFC 7662 §2.1
    public func handle(_ request: TokenRequest) async throws(OAuthError) -> IntrospectionResponse {
        let requester = try await request.authenticateClient(
            with: authenticator, rateLimit: rateLimit, allowPublic: false)
        let token = try request.form.require("token")
        // token_type_hint is only a hint (§2.1); unknown hints are ignored rather than refused.
        if let claims = await validator.validate(token, tenant: request.tenant) {
            return IntrospectionResponse(claims: claims)
        }
        // Not a valid JWT: an opaque refresh token (never contains a dot), or nothing.
        guard !token.contains("."), let refreshTokens else { return .inactive }
        return await refreshTokens.introspect(
            token, tenant: request.tenant, requester: requester.client.id)
    }
}
