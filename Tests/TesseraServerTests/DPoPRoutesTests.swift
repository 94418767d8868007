import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TesseraCore
import TesseraOAuth
import TesseraServer
import TesseraTestSupport
import Testing

/// RFC 9449 through the token route: the `DPoP` header reaches the endpoint, bound tokens come
/// back as `token_type: DPoP`, refusals as `invalid_dpop_proof`, and the metadata says which
/// algorithms proofs may use.
@Suite("DPoP at the token route")
struct DPoPRoutesTests {
    @Test func theTokenRouteBindsTokensToTheProofsKey() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let tenant = try await ServerFixture.acme(runtime)
            let (client, secret) = try await runtime.administration.createClient(
                in: tenant, .init(name: "Svc", grants: ["client_credentials"]), actor: "test")
            let basic = "Basic " + Data("\(client.id):\(try #require(secret))".utf8).base64EncodedString()
            let key = DPoPKey()
            try await ServerFixture.withClient(runtime) { http in
                func token(_ proofs: [String]) async throws -> TestResponse {
                    var headers: HTTPFields = [
                        .authorization: basic, .contentType: "application/x-www-form-urlencoded",
                    ]
                    for proof in proofs { headers.append(HTTPField(name: HTTPField.Name("DPoP")!, value: proof)) }
                    return try await http.execute(
                        uri: "/t/acme/token", method: .post, headers: headers,
                        body: ByteBuffer(string: "grant_type=client_credentials"))
                }
                let proof = try key.proof(key.claims(htu: ServerFixture.issuer + "/token", at: Date()))
                let bound = try await token([proof])
                #expect(bound.status == .ok, "\(bound.text)")
                let body = try bound.jsonObject()
                #expect(body["token_type"] as? String == "DPoP")
                let payload = try #require((body["access_token"] as? String)?.split(separator: ".").dropFirst().first)
                let payloadJSON = try #require(Base64URL.decode(String(payload)))
                let claims = try #require(try JSONSerialization.jsonObject(with: Data(payloadJSON)) as? [String: Any])
                #expect((claims["cnf"] as? [String: Any])?["jkt"] as? String == key.thumbprint)

                let replay = try await token([proof])
                #expect(replay.status == .badRequest)
                #expect(try replay.jsonObject()["error"] as? String == "invalid_dpop_proof")

                // RFC 9449 §7.1: a bound token proves nothing under the Bearer scheme. An admin
                // client's bound token is refused at the admin API; its bearer token is not.
                let (admin, adminSecret) = try await runtime.administration.createClient(
                    in: tenant, .init(name: "Admin", grants: ["client_credentials"], scopes: ["tessera:admin"]),
                    actor: "test")
                let adminBasic =
                    "Basic " + Data("\(admin.id):\(try #require(adminSecret))".utf8).base64EncodedString()
                func adminToken(_ proof: String?) async throws -> String {
                    var headers: HTTPFields = [
                        .authorization: adminBasic, .contentType: "application/x-www-form-urlencoded",
                    ]
                    if let proof { headers[HTTPField.Name("DPoP")!] = proof }
                    let answer = try await http.execute(
                        uri: "/t/acme/token", method: .post, headers: headers,
                        body: ByteBuffer(string: "grant_type=client_credentials"))
                    return try #require(try answer.jsonObject()["access_token"] as? String)
                }
                let boundAdmin = try await adminToken(
                    try key.proof(key.claims(htu: ServerFixture.issuer + "/token", at: Date())))
                // Under the DPoP scheme, with a proof by its key naming it: accepted, once.
                let adminURL = ServerFixture.issuer + "/admin/v1/clients"
                let adminProof = try key.proof(
                    key.claims(htu: adminURL, at: Date(), ["htm": "GET", "ath": DPoPProof.ath(of: boundAdmin)]))
                for expected in [HTTPResponse.Status.ok, .unauthorized] {
                    let answer = try await http.execute(
                        uri: "/t/acme/admin/v1/clients", method: .get,
                        headers: [.authorization: "DPoP \(boundAdmin)", HTTPField.Name("DPoP")!: adminProof])
                    #expect(answer.status == expected, "\(answer.text)")
                    if expected == .unauthorized {
                        #expect(answer.headers[values: .wwwAuthenticate].contains { $0.contains("invalid_dpop_proof") })
                    }
                }
                for (token, status) in [
                    (boundAdmin, HTTPResponse.Status.unauthorized), (try await adminToken(nil), .ok),
                ] {
                    let clients = try await http.execute(
                        uri: "/t/acme/admin/v1/clients", method: .get, headers: [.authorization: "Bearer \(token)"])
                    #expect(clients.status == status)
                }

                let metadata = try await http.execute(uri: "/t/acme/.well-known/openid-configuration", method: .get)
                let algorithms = try #require(
                    try metadata.jsonObject()["dpop_signing_alg_values_supported"] as? [String])
                #expect(algorithms.contains("ES256") && algorithms.contains("Ed25519") && !algorithms.contains("HS256"))
            }
        }
    }

    /// RFC 9449 §7.1: userinfo offers the DPoP scheme beside Bearer, and names a bad proof.
    @Test func userinfoChallengesOfferDPoP() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            _ = try await ServerFixture.acme(runtime)
            try await ServerFixture.withClient(runtime) { http in
                let missing = try await http.execute(uri: "/t/acme/userinfo", method: .get)
                #expect(missing.status == .unauthorized)
                let challenges = missing.headers[values: .wwwAuthenticate]
                #expect(challenges.contains { $0.hasPrefix("Bearer") })
                #expect(challenges.contains { $0.hasPrefix("DPoP algs=") && $0.contains("ES256") })
                let forged = try await http.execute(
                    uri: "/t/acme/userinfo", method: .get,
                    headers: [.authorization: "DPoP eyJ.e30.sig", HTTPField.Name("DPoP")!: "not-a-proof"])
                #expect(forged.status == .unauthorized)
                #expect(try forged.jsonObject()["error"] as? String == "invalid_token")
            }
        }
    }
}
