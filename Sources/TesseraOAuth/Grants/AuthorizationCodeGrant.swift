import Foundation
import TesseraCore
import TesseraJOSE
import TesseraStore

/// RFC 6749 §4.1.3 with PKCE (RFC 7636 §4.5): a code, redeemed once by the client it was issued
/// to, with the verifier of its challenge. A second use revokes everything the first issued
/// (§4.1.2, RFC 9700 §4.5): the code leaked, so what it bought is presumed stolen too.
public struct AuthorizationCodeGrant: GrantHandler {
    public let grantType = GrantType.authorizationCode
    /// PKCE, not a secret, protects public clients' codes.
    public let allowsPublicClients = true
    let store: any Store
    let tokens: UserTokenIssuer
    let revocations: RevocationList
    let clock: @Sendable () -> Date

    public init(
        store: any Store, tokens: UserTokenIssuer, revocations: RevocationList,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.tokens = tokens
        self.revocations = revocations
        self.clock = clock
    }

    public func handle(
        _ request: TokenRequest, client: AuthenticatedClient
    ) async throws(OAuthError) -> TokenResponse {
        let code = try request.form.require("code")
        guard let verifier = request.form["code_verifier"] else {
            throw .invalidRequest("code_verifier is required (PKCE)")
        }
        let redirectURI = request.form["redirect_uri"]
        let client = client.client
        let tenant = request.tenant
        let now = clock()
        let tokens = self.tokens
        // The outcome, and on a replay the access token it revoked.
        let (outcome, revokedOnReplay) = try await store.grantTransaction {
            operations -> (GrantOutcome, RevokedToken?) in
            switch try await operations.redeemAuthorizationCode(
                tenantID: tenant.id, codeHash: SecretHash(of: code), clientID: client.id, at: now)
            {
            case .invalid:
                return (.refused(.invalidGrant("the code is invalid, expired or was issued to another client")), nil)
            case .alreadyUsed(let used):
                let revoked = try await Self.revokeIssued(
                    by: used, client: client, tenant: tenant, now: now, operations)
                return (.refused(.invalidGrant("the code was already used; the tokens it issued are revoked")), revoked)
            case .redeemed(let redeemed):
                // The code is now used whatever follows: a wrong verifier burns it (RFC 7636 §4.6).
                if let redirectURI, redirectURI != redeemed.redirectURI {
                    return (.refused(.invalidGrant("redirect_uri differs from the authorization request's")), nil)
                }
                guard PKCE.verify(verifier: verifier, challenge: redeemed.codeChallenge) else {
                    return (.refused(.invalidGrant("code_verifier does not match the code_challenge")), nil)
                }
                // RFC 9449 §10: a code bound by dpop_jkt goes only with a proof by that key.
                if let jkt = redeemed.dpopJKT, request.proof?.jkt != jkt {
                    return (
                        .refused(.invalidGrant("the code is bound to another DPoP key (dpop_jkt) than this proof's")),
                        nil
                    )
                }
                guard let user = try await operations.user(tenantID: tenant.id, id: redeemed.userID),
                    user.status == .active
                else { return (.refused(.invalidGrant("the user's account is no longer active")), nil) }
                var grant = UserTokenIssuer.Grant(
                    user: user, scopes: redeemed.scopes, requestedAudience: redeemed.audience,
                    authTime: redeemed.authTime, nonce: redeemed.nonce, family: .new)
                grant.authenticationMethods = redeemed.authenticationMethods
                grant.authenticationContext = redeemed.authenticationContext
                grant.sessionID = redeemed.sessionID
                let issued = try await tokens.issue(
                    grant,
                    client: client, tenant: tenant, proof: request.proof, confirmation: request.confirmation,
                    operations: operations)
                try await operations.recordCodeIssue(
                    tenantID: tenant.id, codeHash: redeemed.codeHash, familyID: issued.familyID,
                    jti: issued.accessTokenClaims.jti)
                return (.issued(issued.response), nil)
            }
        }
        // After commit: this instance stops accepting the replayed code's access token at once;
        // the others learn it from the change feed.
        if let revokedOnReplay { await revocations.add(revokedOnReplay) }
        return try outcome.get()
    }

    /// The replay's consequences, in the transaction that detected it.
    static func revokeIssued(
        by code: AuthorizationCode, client: Client, tenant: TenantContext, now: Date, _ operations: any StoreOperations
    ) async throws -> RevokedToken? {
        if let family = code.familyID {
            try await operations.revokeRefreshFamily(tenantID: tenant.id, familyID: family, at: now)
        }
        var revoked: RevokedToken?
        if let jti = code.issuedJTI, let usedAt = code.usedAt {
            let lifetime = client.accessTokenTTL ?? tenant.settings.accessTokenTTL
            let token = RevokedToken(
                tenantID: tenant.id, jti: jti, expiresAt: usedAt.addingTimeInterval(TimeInterval(lifetime + 60)),
                revokedAt: now)
            try await operations.insertRevokedToken(token)
            try await operations.recordChange(
                Change(tenantID: tenant.id, kind: .revokedToken, subject: jti, changedAt: now))
            revoked = token
        }
        try await operations.appendAudit(
            AuditRecord(action: .authorizationCodeReplay, target: "user:\(code.userID)"), tenantID: tenant.id,
            actor: "client:\(client.id)", requestID: nil, at: now)
        return revoked
    }
}
