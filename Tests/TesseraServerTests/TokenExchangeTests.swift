import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TesseraCore
import TesseraOAuth
import TesseraServer
import TesseraTestSupport
import Testing

/// RFC 8693 through the token endpoint: services pass a user's authority down a chain with
/// narrower tokens that say who acted.
@Suite("Token exchange")
struct TokenExchangeTests {
    static let exchange = "urn:ietf:params:oauth:grant-type:token-exchange"
    static let accessTokenType = "urn:ietf:params:oauth:token-type:access_token"

    struct Service: Sendable {
        let id: String
        let basic: String

        static func make(
            _ runtime: TesseraRuntime, tenant: String = "acme", name: String, audience: String
        ) async throws
            -> Service
        {
            let (client, secret) = try await runtime.administration.createClient(
                in: try await runtime.administration.tenant(tenant),
                Administration.ClientRegistration(
                    name: name, grants: [TokenExchangeTests.exchange], scopes: ["orders:read"], audiences: [audience]),
                actor: "test")
            return Service(
                id: client.id, basic: "Basic " + Data("\(client.id):\(secret ?? "")".utf8).base64EncodedString())
        }

        func exchange(
            _ client: any TestClientProtocol, _ subject: String, _ extra: [String: String] = [:],
            tenant: String = "acme"
        ) async throws -> (HTTPResponse.Status, [String: Any]) {
            var form = [
                "grant_type": TokenExchangeTests.exchange, "subject_token": subject,
                "subject_token_type": TokenExchangeTests.accessTokenType,
            ]
            form.merge(extra) { $1 }
            let response = try await client.execute(
                uri: "/t/\(tenant)/token", method: .post,
                headers: [.authorization: basic, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: FormBody.encode(form.filter { !$0.value.isEmpty })))
            return (response.status, try response.jsonObject())
        }

        func introspect(_ client: any TestClientProtocol, _ token: String) async throws -> [String: Any] {
            try await DelegationFixture.introspect(client, token, authorization: basic)
        }
    }

    /// A user's access token (scopes openid profile orders:read) from the code flow.
    static func userToken(_ fixture: DelegationFixture, _ client: any TestClientProtocol) async throws -> String {
        let code = try await fixture.code(TestBrowser(client))
        return try #require(try await fixture.redeem(client, code: code).jsonObject()["access_token"] as? String)
    }

    @Test func aChainOfTwoExchangesNarrowsAndRecordsWhoActed() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            let serviceA = try await Service.make(runtime, name: "Orders API", audience: "https://billing.example.com")
            let serviceB = try await Service.make(runtime, name: "Billing API", audience: "https://ledger.example.com")
            try await ServerFixture.withClient(runtime) { client in
                let userToken = try await Self.userToken(fixture, client)
                let user = try AuthorizationCodeFlowTests.payload(userToken)

                let (status, first) = try await serviceA.exchange(
                    client, userToken, ["scope": "orders:read", "resource": "https://billing.example.com"])
                #expect(status == .ok, "\(first)")
                #expect(first["issued_token_type"] as? String == Self.accessTokenType)
                #expect(first["refresh_token"] == nil)
                #expect(first["scope"] as? String == "orders:read")
                let downstream = try #require(first["access_token"] as? String)
                let claims = try AuthorizationCodeFlowTests.payload(downstream)
                #expect(claims["sub"] as? String == user["sub"] as? String)
                #expect(claims["aud"] as? String == "https://billing.example.com")
                #expect(claims["client_id"] as? String == serviceA.id)
                #expect((claims["act"] as? [String: Any])?["sub"] as? String == serviceA.id)
                #expect(try #require(claims["exp"] as? Int) <= (try #require(user["exp"] as? Int)))

                let (secondStatus, second) = try await serviceB.exchange(
                    client, downstream, ["audience": "https://ledger.example.com"])
                #expect(secondStatus == .ok, "\(second)")
                let chained = try AuthorizationCodeFlowTests.payload(try #require(second["access_token"] as? String))
                let act = try #require(chained["act"] as? [String: Any])
                #expect(act["sub"] as? String == serviceB.id)
                #expect((act["act"] as? [String: Any])?["sub"] as? String == serviceA.id)
                #expect(chained["sub"] as? String == user["sub"] as? String)

                // Introspection shows the chain.
                let introspected = try await serviceB.introspect(
                    client, try #require(second["access_token"] as? String))
                #expect(introspected["active"] as? Bool == true)
                let shown = try #require(introspected["act"] as? [String: Any])
                #expect((shown["act"] as? [String: Any])?["sub"] as? String == serviceA.id)
            }
        }
    }

    @Test func widerScopeForbiddenAudienceForeignRevokedOrTooDeepFail() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            let serviceA = try await Service.make(runtime, name: "Orders API", audience: "https://billing.example.com")
            _ = try await runtime.administration.createTenant(slug: "beta", name: "Beta", actor: "test")
            _ = try await runtime.administration.createScope(
                in: try await runtime.administration.tenant("beta"), name: "orders:read", description: nil,
                actor: "test")
            let betaService = try await Service.make(
                runtime, tenant: "beta", name: "Beta API", audience: "https://billing.example.com")
            try await ServerFixture.withClient(runtime) { client in
                let userToken = try await Self.userToken(fixture, client)
                // profile is the subject's but not the service's; orders:write is nobody's.
                for scope in ["orders:read profile", "orders:write"] {
                    let (status, answer) = try await serviceA.exchange(client, userToken, ["scope": scope])
                    #expect(status == .badRequest && answer["error"] as? String == "invalid_scope", "\(scope)")
                }
                let (_, target) = try await serviceA.exchange(
                    client, userToken, ["audience": "https://ledger.example.com"])
                #expect(target["error"] as? String == "invalid_target")
                // acme's token at beta: another issuer.
                let (_, foreign) = try await betaService.exchange(client, userToken, tenant: "beta")
                #expect(foreign["error"] as? String == "invalid_grant")
                let (_, forged) = try await serviceA.exchange(client, "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")
                #expect(forged["error"] as? String == "invalid_grant")
                let (_, wrongType) = try await serviceA.exchange(
                    client, userToken, ["subject_token_type": "urn:ietf:params:oauth:token-type:id_token"])
                #expect(wrongType["error"] as? String == "invalid_request")

                // Too deep: this tenant allows one hop.
                _ = try await runtime.administration.updateSettings(
                    of: try await runtime.administration.tenant("acme"), [.tokenExchangeMaxDepth: 1],
                    actor: "test")
                // No change follower runs in-process: drop the cached tenant as it would.
                await runtime.tenants.reset()
                let (okStatus, once) = try await serviceA.exchange(client, userToken)
                #expect(okStatus == .ok)
                let (_, twice) = try await serviceA.exchange(client, try #require(once["access_token"] as? String))
                #expect(twice["error"] as? String == "invalid_request")

                // Revoked by its client: no longer exchangeable.
                let revoke = try await client.execute(
                    uri: "/t/acme/revoke", method: .post,
                    headers: [.authorization: fixture.basic, .contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: FormBody.encode(["token": userToken])))
                #expect(revoke.status == .ok)
                let (_, revoked) = try await serviceA.exchange(client, userToken)
                #expect(revoked["error"] as? String == "invalid_grant")

                // A client not registered for the grant.
                let notAllowed = try await client.execute(
                    uri: "/t/acme/token", method: .post,
                    headers: [.authorization: fixture.basic, .contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(
                        string: FormBody.encode([
                            "grant_type": Self.exchange, "subject_token": userToken,
                            "subject_token_type": Self.accessTokenType,
                        ])))
                #expect(try notAllowed.jsonObject()["error"] as? String == "unauthorized_client")
            }
        }
    }
}
