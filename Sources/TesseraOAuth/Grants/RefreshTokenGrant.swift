import Foundation
import TesseraCore
import TesseraJOSE
import TesseraStore

/// RFC 6749 §6 with rotation (RFC 9700 §4.14.2): every use returns a new refresh token and
/// marks the old one used. Presenting a used one means two parties hold the family, and nobody
/// can tell which is the thief, so the whole family is revoked. Of two concurrent uses of one
/// token, the database lets exactly one win; the other is that reuse.
///
/// A client whose rotation is `reuse` (`Client.refreshTokenRotation`: by default a confidential
/// client with sender-constrained tokens, FAPI 2.0 §5.3.2.1) keeps its refresh token: each use
/// moves its idle expiry and returns no new one.
public struct RefreshTokenGrant: GrantHandler {
    public let grantType = GrantType.refreshToken
    public let allowsPublicClients = true
    let store: any Store
    let tokens: UserTokenIssuer
    let clock: @Sendable () -> Date

    public init(store: any Store, tokens: UserTokenIssuer, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.tokens = tokens
        self.clock = clock
    }

    public func handle(
        _ request: TokenRequest, client: AuthenticatedClient
    ) async throws(OAuthError) -> TokenResponse {
        let value = try request.form.require("refresh_token")
        let narrowed = try request.form["scope"].map { text throws(OAuthError) in
            do {
                return try ScopeSet(parsing: text)
            } catch {
                throw OAuthError.invalidScope("the scope parameter is malformed")
            }
        }
        let resources = request.form.values("resource")
        let client = client.client
        let tenant = request.tenant
        let now = clock()
        let tokens = self.tokens
        let rotates = ClientPolicy(client, at: tenant).refreshTokenRotation == .rotate
        let idleEnd = now.addingTimeInterval(TimeInterval(tenant.settings.refreshTokenIdleTTL))
        return try await store.grantTransaction { operations -> GrantOutcome in
            let redemption: Redemption<RefreshToken> =
                rotates
                ? try await operations.useRefreshToken(
                    tenantID: tenant.id, tokenHash: SecretHash(of: value), clientID: client.id, at: now)
                : try await operations.touchRefreshToken(
                    tenantID: tenant.id, tokenHash: SecretHash(of: value), clientID: client.id, at: now,
                    idleExpiresAt: idleEnd
                ).map(Redemption.redeemed) ?? .invalid
            switch redemption {
            case .invalid:
                return .refused(.invalidGrant("the refresh token is invalid, expired or revoked"))
            case .alreadyUsed(let used):
                try await operations.audited(
                    AuditedChange(
                        tenantID: tenant.id, actor: "client:\(client.id)", requestID: nil, at: now,
                        records: [
                            AuditRecord(
                                action: .refreshTokenReuse, target: "user:\(used.userID)",
                                details: AuditDetails().string("family", used.familyID.uuidString.lowercased()))
                        ])
                ) { operations in
                    try await operations.revokeRefreshFamily(tenantID: tenant.id, familyID: used.familyID, at: now)
                }
                return .refused(.invalidGrant("the refresh token was already used; its family is revoked"))
            case .redeemed(let token):
                // RFC 9449 §5: a bound token is refreshed only with a proof by its key. Thrown, so
                // the use rolls back: a stolen token tried without the key stays the owner's.
                if let jkt = token.jkt, request.proof?.jkt != jkt {
                    throw OAuthError.invalidDPoPProof(
                        request.proof == nil
                            ? "this refresh token is bound to a DPoP key; send a proof by it"
                            : "the proof's key is not the one this refresh token is bound to")
                }
                // §6: a narrower scope may be asked for, never a wider one.
                let scopes = narrowed ?? token.scopes
                guard !scopes.isEmpty, scopes.isSubset(of: token.scopes) else {
                    return .refused(.invalidScope("a refresh may only narrow the scope granted"))
                }
                // RFC 8707 §2.2: a resource named here must be one the grant covered.
                if !resources.isEmpty, !token.audience.isEmpty, !Set(resources).isSubset(of: token.audience) {
                    return .refused(.invalidTarget("the grant does not cover that resource"))
                }
                guard let user = try await operations.user(tenantID: tenant.id, id: token.userID),
                    user.status == .active
                else {
                    try await operations.revokeRefreshFamily(tenantID: tenant.id, familyID: token.familyID, at: now)
                    return .refused(.invalidGrant("the user's account is no longer active"))
                }
                var grant = UserTokenIssuer.Grant(
                    user: user, scopes: scopes, requestedAudience: resources.isEmpty ? token.audience : resources,
                    authTime: token.authTime, nonce: nil,
                    family: rotates
                        ? .continuing(id: token.familyID, expiresAt: token.expiresAt) : .kept(id: token.familyID),
                    refreshScopes: token.scopes,
                    refreshAudience: token.audience, refreshBinding: token.jkt)
                // OIDC Core §12.2: the refreshed tokens describe the original sign-in.
                grant.authenticationMethods = token.authenticationMethods
                grant.authenticationContext = token.authenticationContext
                let issued = try await tokens.issue(
                    grant,
                    client: client, tenant: tenant, proof: request.proof, confirmation: request.confirmation,
                    operations: operations)
                return .issued(issued.response)
            }
        }.get()
    }
}
