import Foundation
import TesseraCore
import TesseraJOSE
import TesseraStore

/// Tokens issued on a user's behalf (authorization code, refresh token, device code grants): an
/// access token with the user as `sub`, a refresh token in the grant's family when the client
/// may refresh, and an ID token when `openid` was granted. The refresh token is written through
/// the caller's transaction, so it exists exactly when the grant's other writes do.
public struct UserTokenIssuer: Sendable {
    let accessTokens: AccessTokenIssuer
    let clock: @Sendable () -> Date

    public init(accessTokens: AccessTokenIssuer, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.accessTokens = accessTokens
        self.clock = clock
    }

    /// What the user granted, as the grant being redeemed recorded it.
    public struct Grant: Sendable {
        public enum Family: Sendable {
            case new
            /// A rotation: same family, same absolute end.
            case continuing(id: UUID, expiresAt: Date)
            /// A refresh without rotation: the presented refresh token stays the family's, and
            /// none is issued (RFC 6749 §6 "MAY issue a new refresh token").
            case kept(id: UUID)
        }

        public let user: User
        public var scopes: ScopeSet
        public let requestedAudience: [String]
        public let authTime: Date
        public let nonce: String?
        public let family: Family
        /// RFC 6749 §6: a refresh narrowed to fewer scopes still rotates to a token of the full grant.
        public var refreshScopes: ScopeSet
        public let refreshAudience: [String]
        /// RFC 9449 §5: the key a rotated family is already bound to; its new token keeps it.
        public let refreshBinding: String?
        /// RFC 8176 `amr` of the sign-in, for the ID token; empty when not known.
        public var authenticationMethods: [String] = []
        /// OIDC Core §2 `acr`, when the request asked for one.
        public var authenticationContext: String?
        /// Back-Channel Logout 1.0 §2.1 `sid` of the session the grant came from, for the ID token.
        public var sessionID: String?

        public init(
            user: User, scopes: ScopeSet, requestedAudience: [String], authTime: Date, nonce: String?, family: Family,
            refreshScopes: ScopeSet? = nil, refreshAudience: [String]? = nil, refreshBinding: String? = nil
        ) {
            self.refreshBinding = refreshBinding
            self.refreshAudience = refreshAudience ?? requestedAudience
            self.user = user
            self.scopes = scopes
            self.refreshScopes = refreshScopes ?? scopes
            self.requestedAudience = requestedAudience
            self.authTime = authTime
            self.nonce = nonce
            self.family = family
        }
    }

    public struct Issued: Sendable {
        public let response: TokenResponse
        public let accessTokenClaims: AccessTokenClaims
        public let familyID: UUID?
    }

    public func issue(
        _ grant: Grant, client: Client, tenant: TenantContext, proof: DPoPProof? = nil,
        confirmation: Confirmation? = nil, operations: any StoreOperations
    ) async throws -> Issued {
        // docs/admin-roles.md: a person's token carries an admin scope only while they hold its
        // role, whatever the client may ask for; a refresh after a role was withdrawn loses it.
        var grant = grant
        grant.scopes = ScopeSet(grant.scopes.sorted.filter { AdminRole.permits($0, roles: grant.user.roles) })
        grant.refreshScopes = ScopeSet(
            grant.refreshScopes.sorted.filter { AdminRole.permits($0, roles: grant.user.roles) })
        let audience = try AudiencePolicy.audience(
            requested: grant.requestedAudience, client: client, issuer: tenant.issuer,
            resources: tenant.tenant.resources)
        let access = try accessTokens.issue(
            subject: grant.user.id.uuidString.lowercased(), client: client, scope: grant.scopes, audience: audience,
            tenant: tenant, authTime: grant.authTime, confirmation: confirmation ?? proof?.confirmation,
            authentication: (grant.authenticationMethods, grant.authenticationContext))
        let now = clock()
        var refreshValue: String?
        var familyID: UUID?
        if case .kept(let id) = grant.family {
            familyID = id
        } else if client.grantTypes.contains(.refreshToken) {
            let value = RandomToken.generate()
            let (family, familyEnd): (UUID, Date) =
                switch grant.family {
                case .new, .kept: (UUID(), now.addingTimeInterval(TimeInterval(tenant.settings.refreshTokenTTL)))
                case .continuing(let id, let end): (id, end)
                }
            var token =
                RefreshToken(
                    tenantID: tenant.id, tokenHash: SecretHash(of: value), familyID: family, clientID: client.id,
                    userID: grant.user.id, scopes: grant.refreshScopes, audience: grant.refreshAudience,
                    authTime: grant.authTime, createdAt: now, expiresAt: familyEnd,
                    idleExpiresAt: min(
                        familyEnd, now.addingTimeInterval(TimeInterval(tenant.settings.refreshTokenIdleTTL))),
                    // RFC 9449 §5: a public client's refresh token is bound to its DPoP key; a
                    // confidential client's is bound to its authentication already.
                    jkt: grant.refreshBinding ?? (client.isPublic ? proof?.jkt : nil))
            token.authenticationMethods = grant.authenticationMethods
            token.authenticationContext = grant.authenticationContext
            try await operations.insertRefreshToken(token)
            refreshValue = value
            familyID = family
        }
        if let familyID {
            try await operations.recordFamilyAccessToken(
                tenantID: tenant.id, familyID: familyID, jti: access.claims.jti,
                expiresAt: Date(timeIntervalSince1970: TimeInterval(access.claims.exp)))
        }
        var idToken: String?
        if grant.scopes.contains("openid") {
            idToken = try signIDToken(
                grant, accessToken: access.token, client: client, tenant: tenant)
        }
        return Issued(
            response: TokenResponse(
                accessToken: access.token, expiresIn: access.expiresIn, scope: grant.scopes.description,
                refreshToken: refreshValue, idToken: idToken, tokenType: TokenResponse.tokenType(boundTo: proof)),
            accessTokenClaims: access.claims, familyID: familyID)
    }

    /// OIDC Core §3.1.3.6: signed with the algorithm the client registered (OIDC Registration
    /// §2 `id_token_signed_response_alg`) by that ID-token line's current key, or by the
    /// tenant's main key; `at_hash` uses the hash of the algorithm that signs.
    func signIDToken(
        _ grant: Grant, accessToken: String, client: Client, tenant: TenantContext
    ) throws(OAuthError) -> String {
        let algorithm = try ClientPolicy(client, at: tenant).idTokenAlgorithm()
        let signer: LoadedKey
        do {
            signer = try tenant.keys.idTokenSigner(for: algorithm)
        } catch {
            throw .temporarilyUnavailable("the tenant has no usable signing key")
        }
        let now = Int(clock().timeIntervalSince1970)
        let claims = IDTokenClaims(
            iss: tenant.issuer, sub: grant.user.id.uuidString.lowercased(), aud: client.id,
            exp: now + tenant.settings.idTokenTTL,
            iat: now, authTime: Int(grant.authTime.timeIntervalSince1970), nonce: grant.nonce,
            atHash: IDTokenClaims.atHash(of: accessToken, algorithm: signer.algorithm),
            azp: client.id,
            preferredUsername: grant.scopes.contains("profile") ? grant.user.username : nil,
            amr: grant.authenticationMethods, acr: grant.authenticationContext, sid: grant.sessionID)
        do {
            return try signer.sign(claims, type: "JWT")
        } catch {
            throw .temporarilyUnavailable("the tenant has no usable signing key")
        }
    }
}
