import Foundation
import TesseraCore
import TesseraKeys

/// RFC 7662: any authenticated confidential client of the tenant may ask about a token. A valid
/// JWT is answered from memory (keys and revocations), touching no database row.
public struct IntrospectionEndpoint: Sendable {
    let authenticator: ClientAuthenticator
    let validator: AccessTokenValidator
    let rateLimit: ClientRateLimit

    public init(authenticator: ClientAuthenticator, validator: AccessTokenValidator, rateLimit: ClientRateLimit) {
        self.authenticator = authenticator
        self.validator = validator
        self.rateLimit = rateLimit
    }

    // RFC 7662 §2.1
    public func handle(_ request: TokenRequest, keys: TenantKeys) async throws(OAuthError) -> IntrospectionResponse {
        _ = try await request.authenticateClient(
            with: authenticator, rateLimit: rateLimit, allowPublic: false)
        let token = try request.form.require("token")
        // token_type_hint is only a hint (§2.1); unknown hints are ignored rather than refused.
        guard let claims = await validator.validate(token, tenant: request.tenant, issuer: request.issuer, keys: keys)
        else { return .inactive }
        return IntrospectionResponse(claims: claims)
    }
}
