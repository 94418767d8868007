import Foundation
import HTTPTypes
import HummingbirdTesting
import TesseraCore
import TesseraOAuth
import TesseraServer
import TesseraTestSupport
import Testing

/// RFC 9449 §8.2 as docs/dpop.md promises it: every answer to a token request with a proof
/// carries the nonce to use next, refusals too. A device polling with `authorization_pending`
/// for minutes would otherwise learn a new nonce only from a `use_dpop_nonce` refusal, one
/// wasted poll interval each time the nonce rotates.
@Suite("DPoP nonces in every answer")
struct DPoPNonceAnswerTests {
    @Test func aRefusedTokenRequestWithAProofStillCarriesTheNextNonce() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let tenant = try await runtime.administration.updateSettings(
                of: try await ServerFixture.acme(runtime), [.dpopNonce: .text("required")], actor: "test")
            let (client, secret) = try await runtime.administration.createClient(
                in: tenant, .init(name: "Svc", grants: ["client_credentials"], scopes: ["openid"]), actor: "test")
            let key = DPoPKey()
            let tokenURL = ServerFixture.issuer + "/token"
            let basic = try SecurityProfileTests.basic(client, secret)
            try await ServerFixture.withClient(runtime) { http in
                let first = try await SecurityProfileTests.post(
                    http, "/t/acme/token", ["grant_type": "client_credentials"], authorization: basic,
                    dpop: [try key.proof(key.claims(htu: tokenURL, at: Date()))])
                let nonce = try #require(first.headers[HTTPField.Name("DPoP-Nonce")!])
                // A proof with the right nonce, in a request refused for something else.
                let refused = try await SecurityProfileTests.post(
                    http, "/t/acme/token", ["grant_type": "client_credentials", "scope": "not-a-scope"],
                    authorization: basic,
                    dpop: [try key.proof(key.claims(htu: tokenURL, at: Date(), ["nonce": nonce]))])
                #expect(try PushedAuthorizationTests.error(refused) == "invalid_scope")
                #expect(refused.headers[HTTPField.Name("DPoP-Nonce")!] != nil)
                // Without a proof, a refusal says nothing about nonces.
                let bearer = try await SecurityProfileTests.post(
                    http, "/t/acme/token", ["grant_type": "client_credentials", "scope": "not-a-scope"],
                    authorization: basic)
                #expect(bearer.headers[HTTPField.Name("DPoP-Nonce")!] == nil)
            }
        }
    }
}
