import Foundation
import TesseraCore
import TesseraJOSE
import TesseraOAuth
import Testing

/// RFC 9449 §5 at the token endpoint: a request with a proof gets tokens bound to its key, a
/// proof is accepted once, and a public client's refresh token needs a proof by the same key.
@Suite("DPoP at the token endpoint")
struct DPoPGrantTests {
    static let tokenEndpoint = ProtocolRuntime.issuer + "/token"

    /// A proof for the token endpoint, made now by `client`.
    static func proof(_ client: DPoPProofTests.Client, at now: Date, htu: String = tokenEndpoint) throws -> String {
        try client.proof(claims: client.claims(["htu": htu, "iat": Int(now.timeIntervalSince1970)]))
    }

    @Test func clientCredentialsWithAProofGetATokenBoundToItsKey() async throws {
        try await ProtocolFixture.withRuntime(.sqlite) { runtime in
            let setup = try await GrantTests.Setup(runtime)
            let (_, authorization) = try await setup.client(grants: ["client_credentials"])
            let key = DPoPProofTests.Client()
            let form = ["grant_type": "client_credentials"]

            let proof = try Self.proof(key, at: setup.clock.now)
            let bound = try await setup.token(form, authorization: authorization, dpop: [proof]).get()
            #expect(bound.tokenType == "DPoP")
            let claims = try await setup.claims(bound.accessToken)
            #expect(claims.cnf == Confirmation(jkt: key.thumbprint))
            // RFC 9449 §6.2: introspection shows the binding.
            #expect(IntrospectionResponse(claims: claims).cnf?.jkt == key.thumbprint)

            // A proof is good once, here and at every instance sharing the store (§11.1).
            let replay = try await setup.token(form, authorization: authorization, dpop: [proof])
            #expect(GrantTests.error(replay) == .invalidDPoPProof)
            // A proof for another URI, or two proofs, are refused.
            let elsewhere = try Self.proof(key, at: setup.clock.now, htu: "https://other.example.com/token")
            #expect(
                GrantTests.error(try await setup.token(form, authorization: authorization, dpop: [elsewhere]))
                    == .invalidDPoPProof)
            let two = [try Self.proof(key, at: setup.clock.now), try Self.proof(key, at: setup.clock.now)]
            #expect(
                GrantTests.error(try await setup.token(form, authorization: authorization, dpop: two))
                    == .invalidDPoPProof)
            // Without a proof, a bearer token as before.
            let bearer = try await setup.token(form, authorization: authorization).get()
            #expect(bearer.tokenType == "Bearer")
            #expect(try await setup.claims(bearer.accessToken).cnf == nil)
        }
    }

    /// RFC 8693 with RFC 9449 §5: the exchanging service's proof binds the token it gets, and a
    /// subject token bound to the calling app's key is still a subject it may exchange (the
    /// service authenticates itself; it cannot prove the app's key, and need not).
    @Test func tokenExchangeWithAProofGetsATokenBoundToTheExchangersKey() async throws {
        try await ProtocolFixture.withRuntime(.sqlite) { runtime in
            let setup = try await GrantTests.Setup(runtime)
            let (_, front) = try await setup.client(grants: ["client_credentials"])
            let (_, back) = try await setup.client(grants: ["urn:ietf:params:oauth:grant-type:token-exchange"])
            let appKey = DPoPProofTests.Client()
            let subject = try await setup.token(
                ["grant_type": "client_credentials", "scope": "orders:read"], authorization: front,
                dpop: [try Self.proof(appKey, at: setup.clock.now)]
            ).get()
            #expect(subject.tokenType == "DPoP")
            let serviceKey = DPoPProofTests.Client()
            let exchanged = try await setup.token(
                [
                    "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
                    "subject_token": subject.accessToken,
                    "subject_token_type": "urn:ietf:params:oauth:token-type:access_token",
                ], authorization: back, dpop: [try Self.proof(serviceKey, at: setup.clock.now)]
            ).get()
            #expect(exchanged.tokenType == "DPoP")
            #expect(try await setup.claims(exchanged.accessToken).cnf == Confirmation(jkt: serviceKey.thumbprint))
        }
    }

    @Test func aPublicClientsRefreshTokenIsBoundToTheKeyOfItsFirstProof() async throws {
        try await ProtocolFixture.withRuntime(.sqlite) { runtime in
            let setup = try await GrantTests.Setup(runtime)
            let (client, _) = try await setup.client(grants: ["authorization_code", "refresh_token"], public: true)
            let user = try await setup.user()
            let code = RandomToken.generate()
            let verifier = RandomToken.generate(bytes: 32)
            try await runtime.store.insertAuthorizationCode(
                AuthorizationCode(
                    tenantID: setup.tenant.id, codeHash: SecretHash(of: code), clientID: client.id, userID: user.id,
                    redirectURI: "https://app.example.com/cb", scopes: ScopeSet(["orders:read"]), audience: [],
                    codeChallenge: PKCE.challenge(for: verifier), nonce: nil, authTime: setup.clock.now,
                    createdAt: setup.clock.now, expiresAt: setup.clock.now.addingTimeInterval(60)))
            let key = DPoPProofTests.Client()
            let issued = try await setup.token(
                [
                    "grant_type": "authorization_code", "code": code, "redirect_uri": "https://app.example.com/cb",
                    "code_verifier": verifier, "client_id": client.id,
                ], authorization: nil, dpop: [try Self.proof(key, at: setup.clock.now)]
            ).get()
            #expect(issued.tokenType == "DPoP")
            let refresh = try #require(issued.refreshToken)
            let form = ["grant_type": "refresh_token", "refresh_token": refresh, "client_id": client.id]

            // Without a proof, or with another key's: refused, and the token is not spent.
            #expect(GrantTests.error(try await setup.token(form, authorization: nil)) == .invalidDPoPProof)
            let thief = DPoPProofTests.Client()
            let stolen = try await setup.token(
                form, authorization: nil, dpop: [try Self.proof(thief, at: setup.clock.now)])
            #expect(GrantTests.error(stolen) == .invalidDPoPProof)
            // With the key: refreshed, and the new token is bound to it too.
            let rotated = try await setup.token(
                form, authorization: nil, dpop: [try Self.proof(key, at: setup.clock.now)]
            ).get()
            #expect(try await setup.claims(rotated.accessToken).cnf == Confirmation(jkt: key.thumbprint))
            let next = [
                "grant_type": "refresh_token", "refresh_token": try #require(rotated.refreshToken),
                "client_id": client.id,
            ]
            #expect(GrantTests.error(try await setup.token(next, authorization: nil)) == .invalidDPoPProof)
            let rotatedValue = try #require(rotated.refreshToken)
            let stored = try await runtime.store.refreshToken(
                tenantID: setup.tenant.id, tokenHash: SecretHash(of: rotatedValue))
            #expect(stored?.jkt == key.thumbprint)
        }
    }

    /// RFC 9449 §7: at userinfo a bound token works only under the DPoP scheme, with a fresh
    /// proof by its key that names it (`ath`); a bearer token stays a bearer token.
    @Test func userinfoTakesABoundTokenOnlyWithAProofByItsKey() async throws {
        try await ProtocolFixture.withRuntime(.sqlite) { runtime in
            let setup = try await GrantTests.Setup(runtime)
            let (client, authorization) = try await setup.client(grants: ["authorization_code"])
            let user = try await setup.user()
            func code() async throws -> [String: String] {
                let code = RandomToken.generate()
                let verifier = RandomToken.generate(bytes: 32)
                try await runtime.store.insertAuthorizationCode(
                    AuthorizationCode(
                        tenantID: setup.tenant.id, codeHash: SecretHash(of: code), clientID: client.id,
                        userID: user.id, redirectURI: "https://app.example.com/cb", scopes: ScopeSet(["openid"]),
                        audience: [], codeChallenge: PKCE.challenge(for: verifier), nonce: nil,
                        authTime: setup.clock.now, createdAt: setup.clock.now,
                        expiresAt: setup.clock.now.addingTimeInterval(60)))
                return [
                    "grant_type": "authorization_code", "code": code, "redirect_uri": "https://app.example.com/cb",
                    "code_verifier": verifier,
                ]
            }
            let key = DPoPProofTests.Client()
            let bound = try await setup.token(
                try await code(), authorization: authorization, dpop: [try Self.proof(key, at: setup.clock.now)]
            ).get().accessToken
            let bearer = try await setup.token(try await code(), authorization: authorization).get().accessToken
            let url = ProtocolRuntime.issuer + "/userinfo"
            let userinfo = UserinfoEndpoint(validator: setup.validator, store: runtime.store)
            let context = try await runtime.context(setup.tenant)
            func ask(_ presented: PresentedAccessToken) async -> Result<[String: String], UserinfoEndpoint.Failure> {
                do throws(UserinfoEndpoint.Failure) {
                    return .success(
                        try await userinfo.handle(presented, at: .init(method: "GET", url: url), tenant: context))
                } catch {
                    return .failure(error)
                }
            }
            func proof(by signer: DPoPProofTests.Client, for token: String) throws -> String {
                try signer.dpop.proof(
                    signer.dpop.claims(
                        htu: url, at: setup.clock.now, ["htm": "GET", "ath": DPoPProof.ath(of: token)]))
            }
            let good = try proof(by: key, for: bound)
            #expect(try await ask(.dpop(bound, proofs: [good])).get()["sub"] == user.id.uuidString.lowercased())
            // The same proof again, another key's proof, no proof, the Bearer scheme: refused.
            guard case .failure(.invalidDPoPProof) = await ask(.dpop(bound, proofs: [good])) else {
                Issue.record("a replayed proof was accepted")
                return
            }
            guard
                case .failure(.invalidDPoPProof) = await ask(
                    .dpop(bound, proofs: [try proof(by: DPoPProofTests.Client(), for: bound)]))
            else {
                Issue.record("another key's proof was accepted")
                return
            }
            guard case .failure(.invalidDPoPProof) = await ask(.dpop(bound, proofs: [])) else {
                Issue.record("a DPoP token without a proof was accepted")
                return
            }
            #expect(await ask(.bearer(bound)) == .failure(.invalidToken))
            // An unbound token is a bearer token: fine as Bearer, not as DPoP.
            #expect(try await ask(.bearer(bearer)).get()["sub"] == user.id.uuidString.lowercased())
            #expect(await ask(.dpop(bearer, proofs: [try proof(by: key, for: bearer)])) == .failure(.invalidToken))
        }
    }
}
