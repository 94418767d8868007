import Foundation
import TesseraCore
import TesseraJOSE

/// RFC 8693: a service that received a user's access token exchanges it for a narrower one for a
/// service further down, and the new token records who acted (`act`, nested for chains).
///
/// Policy, kept in the client's registration: the client must be registered for this grant, the
/// new token's scope is within both the subject token's and the client's, and its audience is
/// one of the client's registered audiences (RFC 8707 `resource` or RFC 8693 `audience`). The
/// new token never outlives the subject token, gets no refresh token, and chains no deeper than
/// the tenant's `token_exchange_max_depth`.
public struct TokenExchangeGrant: GrantHandler {
    public let grantType = GrantType.tokenExchange
    public let allowsPublicClients = false
    let issuer: AccessTokenIssuer
    let validator: AccessTokenValidator

    public static let accessTokenType = "urn:ietf:params:oauth:token-type:access_token"

    public init(issuer: AccessTokenIssuer, validator: AccessTokenValidator) {
        self.issuer = issuer
        self.validator = validator
    }

    public func handle(
        _ request: TokenRequest, client: AuthenticatedClient
    ) async throws(OAuthError) -> TokenResponse {
        let form = request.form
        let subjectToken = try form.require("subject_token")
        guard try form.require("subject_token_type") == Self.accessTokenType else {
            throw .invalidRequest("subject_token_type must be \(Self.accessTokenType)")
        }
        if let requested = form["requested_token_type"], requested != Self.accessTokenType {
            throw .invalidRequest("only access tokens are issued (requested_token_type \(Self.accessTokenType))")
        }
        let client = client.client
        // §2.2.2: a token that is invalid, expired, revoked or of another tenant is invalid_grant.
        guard
            let subject = await validator.validate(
                subjectToken, tenant: request.tenant)
        else { throw .invalidGrant("subject_token is invalid, expired, revoked or from another issuer") }

        var actor = ActorClaim(sub: client.id, clientID: client.id, act: subject.act)
        if let actorToken = form["actor_token"] {
            guard form["actor_token_type"] == Self.accessTokenType else {
                throw .invalidRequest("actor_token_type must be \(Self.accessTokenType)")
            }
            guard
                let acting = await validator.validate(
                    actorToken, tenant: request.tenant)
            else { throw .invalidGrant("actor_token is invalid, expired, revoked or from another issuer") }
            actor = ActorClaim(sub: acting.sub, clientID: acting.clientID, act: subject.act)
        } else if form.contains("actor_token_type") {
            throw .invalidRequest("actor_token_type without actor_token")
        }
        guard actor.depth <= request.tenant.settings.tokenExchangeMaxDepth else {
            throw .invalidRequest(
                "the delegation chain would be \(actor.depth) deep; this tenant allows \(request.tenant.settings.tokenExchangeMaxDepth)"
            )
        }

        let subjectScope: ScopeSet
        do {
            subjectScope = try ScopeSet(parsing: subject.scope)
        } catch {
            throw .invalidGrant("subject_token carries an invalid scope")
        }
        let allowed = subjectScope.intersection(client.scopes)
        let scope: ScopeSet
        if let requested = form["scope"] {
            scope = try ScopePolicy.grant(requested: requested, allowed: allowed)
        } else {
            scope = allowed
        }
        guard !scope.isEmpty else {
            throw .invalidScope("no scope of the subject token may be passed on by this client")
        }
        let audience = try AudiencePolicy.audience(
            requested: form.values("resource") + form.values("audience"), client: client, issuer: request.issuer,
            resources: request.tenant.tenant.resources)

        let issued = try issuer.issue(
            subject: subject.sub, client: client, scope: scope, audience: audience, tenant: request.tenant,
            authTime: subject.authTime.map { Date(timeIntervalSince1970: TimeInterval($0)) },
            act: actor, notAfter: Date(timeIntervalSince1970: TimeInterval(subject.exp)),
            confirmation: request.confirmation)
        // §2.2.1: no refresh token; the issued token's type is named.
        return TokenResponse(
            accessToken: issued.token, expiresIn: issued.expiresIn, scope: scope.description,
            issuedTokenType: Self.accessTokenType, tokenType: request.tokenType)
    }
}

extension ActorClaim {
    /// How many parties the chain names: 1 for `act`, 2 for `act.act`, …
    var depth: Int { 1 + (act?.depth ?? 0) }
}
