import Foundation
import TesseraCore
import TesseraJOSE
import TesseraOAuth
import TesseraTestSupport
import Testing

/// Every grant handler at the protocol level: a `TokenRequest` in, a `TokenResponse` or an
/// `OAuthError` out, on a real store, with no HTTP in between (the server's tests drive the
/// same rules through the routes).
@Suite("Grants")
struct GrantTests {
    /// One tenant with the token endpoint assembled as the server assembles it, a clock the test
    /// moves, and helpers to register clients and send token requests.
    struct Setup: Sendable {
        let runtime: ProtocolRuntime
        let tenant: Tenant
        let clock: ManualClock
        let endpoint: TokenEndpoint
        let validator: AccessTokenValidator
        let dpop: DPoPVerifier

        init(_ runtime: ProtocolRuntime) async throws {
            self.runtime = runtime
            tenant = try await ProtocolFixture.acme(runtime)
            _ = try await runtime.administration.createScope(
                in: tenant, name: "orders:read", description: nil, actor: "test")
            _ = try await runtime.administration.createScope(
                in: tenant, name: "orders:write", description: nil, actor: "test")
            let clock = ManualClock(Date())
            self.clock = clock
            let dpop = DPoPVerifier(
                proofs: runtime.store, nonces: DPoPNonces(masterKey: runtime.masterKey), clock: clock.function)
            self.dpop = dpop
            validator = AccessTokenValidator(revocations: runtime.revocations, dpop: dpop, clock: clock.function)
            let issuer = AccessTokenIssuer(clock: clock.function)
            let userTokens = UserTokenIssuer(accessTokens: issuer, clock: clock.function)
            endpoint = TokenEndpoint(
                handlers: [
                    ClientCredentialsGrant(issuer: issuer),
                    AuthorizationCodeGrant(
                        store: runtime.store, tokens: userTokens, revocations: runtime.revocations,
                        clock: clock.function),
                    RefreshTokenGrant(store: runtime.store, tokens: userTokens, clock: clock.function),
                    DeviceCodeGrant(store: runtime.store, tokens: userTokens, clock: clock.function),
                    TokenExchangeGrant(issuer: issuer, validator: validator),
                ],
                authenticator: ClientAuthenticator(
                    directory: runtime.clients, assertions: runtime.store, clock: clock.function),
                rateLimit: ClientRateLimit(limiter: RateLimiter()), dpop: dpop)
        }

        /// A confidential client's `Authorization: Basic` header.
        func client(
            grants: [String], scopes: [String] = ["orders:read", "orders:write"], public isPublic: Bool = false
        ) async throws -> (Client, authorization: String?) {
            let (client, secret) = try await runtime.administration.createClient(
                in: tenant,
                .init(
                    name: "App", isPublic: isPublic, grants: grants, scopes: scopes + ["openid"],
                    redirectURIs: grants.contains("authorization_code") ? ["https://app.example.com/cb"] : [],
                    audiences: ["https://api.example.com"]),
                actor: "test")
            return (client, secret.map { "Basic " + Data("\(client.id):\($0)".utf8).base64EncodedString() })
        }

        func token(
            _ form: [String: String], authorization: String?, dpop: [String] = [],
            certificate: ClientCertificate? = nil
        ) async throws -> Result<TokenResponse, OAuthError> {
            let body = form.sorted { $0.key < $1.key }.map {
                "\(FormEncoding.encode($0.key))=\(FormEncoding.encode($0.value))"
            }
            .joined(separator: "&")
            let request = TokenRequest(
                tenant: try await runtime.context(tenant), form: try FormParameters(body: body),
                authorizationHeader: authorization, dpopProofs: dpop, certificate: certificate)
            do throws(OAuthError) {
                return .success(try await endpoint.handle(request))
            } catch {
                return .failure(error)
            }
        }

        func claims(_ token: String) async throws -> AccessTokenClaims {
            try #require(await validator.validate(token, tenant: try await runtime.context(tenant)))
        }

        func user() async throws -> User {
            try await runtime.administration.createUser(
                in: tenant, username: "alice-\(RandomToken.generate(bytes: 4))", password: "correct horse battery",
                actor: "test")
        }
    }

    static func error(_ result: Result<TokenResponse, OAuthError>) -> OAuthError.Code? {
        if case .failure(let error) = result { return error.code }
        return nil
    }

    // MARK: RFC 6749 §4.4 client credentials

    @Test func clientCredentialsNarrowTheScopeAndNameTheClient() async throws {
        try await ProtocolFixture.withRuntime(.sqlite) { runtime in
            let setup = try await Setup(runtime)
            let (client, authorization) = try await setup.client(grants: ["client_credentials"])
            let issued = try await setup.token(
                ["grant_type": "client_credentials", "scope": "orders:read"], authorization: authorization
            ).get()
            let claims = try await setup.claims(issued.accessToken)
            #expect(claims.sub == client.id && claims.clientID == client.id)
            #expect(claims.scope == "orders:read" && issued.refreshToken == nil)
            #expect(claims.aud == .one("https://api.example.com"))
            let wider = try await setup.token(
                ["grant_type": "client_credentials", "scope": "orders:delete"], authorization: authorization)
            #expect(Self.error(wider) == .invalidScope)
            let (other, otherAuthorization) = try await setup.client(grants: ["authorization_code"])
            _ = other
            let notAllowed = try await setup.token(
                ["grant_type": "client_credentials"], authorization: otherAuthorization)
            #expect(Self.error(notAllowed) == .unauthorizedClient)
        }
    }

    // MARK: RFC 6749 §4.1.3 and RFC 7636 §4.6 authorization code

    @Test func anAuthorizationCodeIsRedeemedOnceWithItsVerifierAndAReplayRevokesWhatItIssued() async throws {
        try await ProtocolFixture.withRuntime(.sqlite) { runtime in
            let setup = try await Setup(runtime)
            let (client, authorization) = try await setup.client(grants: ["authorization_code", "refresh_token"])
            let user = try await setup.user()
            func code(verifier: String) async throws -> String {
                let code = RandomToken.generate()
                try await runtime.store.insertAuthorizationCode(
                    AuthorizationCode(
                        tenantID: setup.tenant.id, codeHash: SecretHash(of: code), clientID: client.id, userID: user.id,
                        redirectURI: "https://app.example.com/cb", scopes: ScopeSet(["openid", "orders:read"]),
                        audience: [], codeChallenge: PKCE.challenge(for: verifier), nonce: "n-1",
                        authTime: setup.clock.now, createdAt: setup.clock.now,
                        expiresAt: setup.clock.now.addingTimeInterval(60)))
                return code
            }
            func redeem(_ code: String, _ verifier: String) -> [String: String] {
                [
                    "grant_type": "authorization_code", "code": code, "redirect_uri": "https://app.example.com/cb",
                    "code_verifier": verifier,
                ]
            }
            // RFC 7636 §4.6: a wrong verifier is invalid_grant, and the code is spent by the attempt.
            let verifier = RandomToken.generate(bytes: 32)
            let guessed = try await code(verifier: verifier)
            let wrong = redeem(guessed, RandomToken.generate(bytes: 32))
            #expect(Self.error(try await setup.token(wrong, authorization: authorization)) == .invalidGrant)
            let afterGuess = try await setup.token(redeem(guessed, verifier), authorization: authorization)
            #expect(Self.error(afterGuess) == .invalidGrant)

            let form = redeem(try await code(verifier: verifier), verifier)
            let issued = try await setup.token(form, authorization: authorization).get()
            #expect(try await setup.claims(issued.accessToken).sub == user.id.uuidString.lowercased())
            #expect(issued.idToken != nil && issued.refreshToken != nil)

            // RFC 6749 §10.5: a second use fails and revokes the refresh token the first use gave.
            #expect(Self.error(try await setup.token(form, authorization: authorization)) == .invalidGrant)
            let refresh = try #require(issued.refreshToken)
            let afterReplay = try await setup.token(
                ["grant_type": "refresh_token", "refresh_token": refresh], authorization: authorization)
            #expect(Self.error(afterReplay) == .invalidGrant)
        }
    }

    // MARK: RFC 6749 §6 refresh token, RFC 9700 §4.14.2 rotation

    @Test func aRefreshTokenRotatesAndItsReuseRevokesTheFamily() async throws {
        try await ProtocolFixture.withRuntime(.sqlite) { runtime in
            let setup = try await Setup(runtime)
            let (client, authorization) = try await setup.client(grants: ["authorization_code", "refresh_token"])
            let user = try await setup.user()
            let code = RandomToken.generate()
            let verifier = RandomToken.generate(bytes: 32)
            try await runtime.store.insertAuthorizationCode(
                AuthorizationCode(
                    tenantID: setup.tenant.id, codeHash: SecretHash(of: code), clientID: client.id, userID: user.id,
                    redirectURI: "https://app.example.com/cb", scopes: ScopeSet(["orders:read", "orders:write"]),
                    audience: [], codeChallenge: PKCE.challenge(for: verifier), nonce: nil, authTime: setup.clock.now,
                    createdAt: setup.clock.now, expiresAt: setup.clock.now.addingTimeInterval(60)))
            let first = try await setup.token(
                [
                    "grant_type": "authorization_code", "code": code, "redirect_uri": "https://app.example.com/cb",
                    "code_verifier": verifier,
                ], authorization: authorization
            ).get()
            let old = try #require(first.refreshToken)
            // §6: a narrower scope may be asked for; the rotated token keeps the whole grant.
            let narrowed = try await setup.token(
                ["grant_type": "refresh_token", "refresh_token": old, "scope": "orders:read"],
                authorization: authorization
            ).get()
            #expect(narrowed.scope == "orders:read")
            let rotated = try #require(narrowed.refreshToken)
            #expect(rotated != old)
            let wider = try await setup.token(
                ["grant_type": "refresh_token", "refresh_token": rotated, "scope": "orders:delete"],
                authorization: authorization)
            #expect(Self.error(wider) == .invalidScope)

            // The used token again: refused, and the whole family with it.
            let reuse = try await setup.token(
                ["grant_type": "refresh_token", "refresh_token": old], authorization: authorization)
            #expect(Self.error(reuse) == .invalidGrant)
            let family = try await setup.token(
                ["grant_type": "refresh_token", "refresh_token": rotated], authorization: authorization)
            #expect(Self.error(family) == .invalidGrant)
        }
    }

    // MARK: RFC 8628 §3.4 and §3.5 device code

    @Test func aDeviceCodePollsPendingSlowsDownAndIsRedeemedOnceApproved() async throws {
        try await ProtocolFixture.withRuntime(.sqlite) { runtime in
            let setup = try await Setup(runtime)
            let (device, _) = try await setup.client(
                grants: ["urn:ietf:params:oauth:grant-type:device_code"], public: true)
            let user = try await setup.user()
            let deviceCode = RandomToken.generate()
            try await runtime.store.insertDeviceCode(
                DeviceCode(
                    tenantID: setup.tenant.id, deviceCodeHash: SecretHash(of: deviceCode), userCode: "BCDFGHJK",
                    clientID: device.id, scopes: ScopeSet(["orders:read"]), audience: [], intervalSeconds: 5,
                    createdAt: setup.clock.now, expiresAt: setup.clock.now.addingTimeInterval(600)))
            let poll = [
                "grant_type": "urn:ietf:params:oauth:grant-type:device_code", "device_code": deviceCode,
                "client_id": device.id,
            ]
            #expect(Self.error(try await setup.token(poll, authorization: nil)) == .authorizationPending)
            #expect(Self.error(try await setup.token(poll, authorization: nil)) == .slowDown)
            _ = try await runtime.store.decideDeviceCode(
                tenantID: setup.tenant.id, userCode: "BCDFGHJK", status: .approved, userID: user.id,
                authTime: setup.clock.now, at: setup.clock.now)
            setup.clock.set(setup.clock.now.addingTimeInterval(11))
            let issued = try await setup.token(poll, authorization: nil).get()
            #expect(try await setup.claims(issued.accessToken).sub == user.id.uuidString.lowercased())
            setup.clock.set(setup.clock.now.addingTimeInterval(11))
            #expect(Self.error(try await setup.token(poll, authorization: nil)) == .invalidGrant)
            // Past its life, a device code is expired_token.
            setup.clock.set(setup.clock.now.addingTimeInterval(600))
            #expect(Self.error(try await setup.token(poll, authorization: nil)) == .expiredToken)
        }
    }

    // MARK: RFC 8693 token exchange

    @Test func tokenExchangeNarrowsTheScopeNamesTheActorAndNeverOutlivesTheSubject() async throws {
        try await ProtocolFixture.withRuntime(.sqlite) { runtime in
            let setup = try await Setup(runtime)
            let (_, frontAuthorization) = try await setup.client(grants: ["client_credentials"])
            let (back, backAuthorization) = try await setup.client(
                grants: ["urn:ietf:params:oauth:grant-type:token-exchange"])
            let subject = try await setup.token(
                ["grant_type": "client_credentials", "scope": "orders:read orders:write"],
                authorization: frontAuthorization
            ).get()
            let exchange = [
                "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
                "subject_token": subject.accessToken,
                "subject_token_type": "urn:ietf:params:oauth:token-type:access_token", "scope": "orders:read",
            ]
            let issued = try await setup.token(exchange, authorization: backAuthorization).get()
            #expect(issued.issuedTokenType == "urn:ietf:params:oauth:token-type:access_token")
            let claims = try await setup.claims(issued.accessToken)
            let subjectClaims = try await setup.claims(subject.accessToken)
            #expect(claims.sub == subjectClaims.sub && claims.act?.sub == back.id && claims.scope == "orders:read")
            #expect(claims.exp <= subjectClaims.exp)
            var wider = exchange
            wider["scope"] = "orders:read orders:delete"
            #expect(Self.error(try await setup.token(wider, authorization: backAuthorization)) == .invalidScope)
            var forged = exchange
            forged["subject_token"] = subject.accessToken + "x"
            #expect(Self.error(try await setup.token(forged, authorization: backAuthorization)) == .invalidGrant)
        }
    }
}
