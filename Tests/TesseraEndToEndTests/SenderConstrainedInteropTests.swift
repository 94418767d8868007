import Foundation
import TesseraTestSupport
import Testing

/// Sender-constrained tokens with an independent client (joserfc for JOSE, requests for HTTP)
/// against the real `tessera serve`, set up through the CLI as an operator would.
extension EndToEndTests {
    @Suite("Sender-constrained interoperability", .serialized)
    struct SenderConstrainedInteropTests {
        static let password = "correct horse battery"
        static let redirectURI = "https://app.example.com/callback"

        /// Runs the CLI in `directory`, failing the setup on a non-zero exit.
        @discardableResult
        static func cli(_ arguments: [String], in directory: URL, stdin: String? = nil) throws -> [String: Any] {
            let result = try TesseraBinary.run(arguments, in: directory, stdin: stdin)
            guard result.status == 0 else { throw TestSetupError("\(arguments): \(result.stderr)") }
            return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
        }

        /// A tenant with `settings`, the user alice, and a client registered with the public
        /// JWKS of a key `par_request_object.py keygen` made; returns the client id and key file.
        static func tenant(
            _ slug: String, settings: [String], client: [String], in directory: URL
        ) throws -> (clientID: String, keyFile: String) {
            try cli(["tenant", "create", slug, "--json"], in: directory)
            if !settings.isEmpty {
                try cli(["tenant", "settings", slug] + settings.flatMap { ["--set", $0] } + ["--json"], in: directory)
            }
            try cli(["scope", "create", "--tenant", slug, "orders:read", "--json"], in: directory)
            try cli(
                ["user", "create", "--tenant", slug, "--username", "alice", "--password-stdin", "--json"],
                in: directory, stdin: password)
            let keyFile = directory.appendingPathComponent("\(slug)-key.json").path
            let jwksFile = directory.appendingPathComponent("\(slug)-jwks.json").path
            let keys = try Interop.python("par_request_object.py", ["keygen", keyFile, jwksFile])
            guard keys.status == 0 else { throw TestSetupError("keygen: \(keys.stderr)") }
            let created = try cli(
                [
                    "client", "create", "--tenant", slug, "--name", "Orders app", "--jwks-file", jwksFile,
                    "--grant", "authorization_code", "--grant", "refresh_token", "--scope", "openid", "--scope",
                    "orders:read", "--redirect-uri", redirectURI, "--require-signed-request", "--json",
                ] + client, in: directory)
            return (try #require(created["client_id"] as? String, "\(created)"), keyFile)
        }

        /// `par_request_object.py flow` against `issuer`; its JSON summary.
        static func flow(
            _ issuer: String, _ client: (clientID: String, keyFile: String), _ extra: [String] = []
        )
            throws -> [String: Any]
        {
            let result = try Interop.python(
                "par_request_object.py",
                ["flow", issuer, client.clientID, redirectURI, "alice", password, client.keyFile] + extra)
            #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
            return result.json()
        }

        /// What both runs show: the push, the redirect, DPoP-bound tokens and every refusal.
        static func expectTheSenderConstrainedFlow(_ output: [String: Any]) throws {
            let thumbprint = output["thumbprint"] as? String
            #expect(thumbprint?.count == 43, "\(output)")
            #expect(output["par_status"] as? Int == 201)
            #expect(output["expires_in"] as? Int == 60)
            #expect(output["request_uri_prefix"] as? String == "urn:ietf:params:oauth:request_uri")
            // RFC 9101 §10.5: the client must sign; RFC 9101 §6.2: by a key it registered.
            #expect(output["unsigned_push"] as? [AnyHashable] == [400, "invalid_request"])
            #expect(output["foreign_key_push"] as? [AnyHashable] == [400, "invalid_request_object"])
            let redirect = output["redirect"] as? [String: Any] ?? [:]
            #expect(redirect["to"] as? String == redirectURI)
            #expect(redirect["iss"] as? Bool == true && redirect["state"] as? Bool == true)
            #expect(redirect["code"] as? Bool == true)
            // RFC 9126 §7.3: a request_uri is taken once.
            #expect(output["reused_request_uri"] as? [AnyHashable] == [400, "invalid_request_uri"])

            let token = output["token"] as? [String: Any] ?? [:]
            #expect(token["token_type"] as? String == "DPoP")
            #expect(token["typ"] as? String == "at+jwt")
            #expect((token["cnf"] as? [String: Any])?["jkt"] as? String == thumbprint)
            #expect(token["refresh_token"] as? Bool == true && token["id_token"] as? Bool == true)

            // RFC 9449 §7: the DPoP token opens userinfo with its proof, not without, not twice.
            let sub = try #require(output["sub"] as? String)
            #expect(output["userinfo"] as? [AnyHashable] == [200, sub])
            #expect(output["userinfo_replay"] as? [AnyHashable] == [401, "invalid_dpop_proof"])
            #expect(output["userinfo_as_bearer"] as? [AnyHashable] == [401, "invalid_token"])
            #expect(output["userinfo_without_ath"] as? [AnyHashable] == [401, "invalid_dpop_proof"])

            #expect(output["refresh_without_proof"] as? [AnyHashable] == [400, "invalid_dpop_proof"])
            let refreshed = output["refresh"] as? [String: Any] ?? [:]
            #expect(refreshed["token_type"] as? String == "DPoP")
            #expect((refreshed["cnf"] as? [String: Any])?["jkt"] as? String == thumbprint)
            #expect(output["token_proof_replay"] as? [AnyHashable] == [400, "invalid_dpop_proof"])
        }

        @Test func aPublicClientPushesASignedRequestAndHoldsOnlyDPoPBoundTokens() async throws {
            let directory = try makeTemporaryDirectory()
            let client = try Self.tenant(
                "acme", settings: [],
                client: ["--public", "--require-par", "--dpop-bound", "--refresh-rotation", "rotate"], in: directory)
            let server = try await TesseraServerProcess.start(in: directory)
            defer { Task { await server.stop() } }
            let output = try Self.flow("\(server.baseURL)/t/acme", client)
            try Self.expectTheSenderConstrainedFlow(output)
            #expect(output["require_pushed_authorization_requests"] as? Bool == false)
            // RFC 9449 §5: a public client's refresh token is bound to its key, and rotates.
            #expect(output["refresh_other_key"] as? [AnyHashable] == [400, "invalid_dpop_proof"])
            #expect((output["refresh"] as? [String: Any])?["rotated"] as? Bool == true)
            #expect(output["nonce_retries"] as? [String] == [])
        }

        @Test func aFAPI2ClientWithPrivateKeyJWTMeetsNoncesEverywhereAndStillCompletes() async throws {
            let directory = try makeTemporaryDirectory()
            let client = try Self.tenant(
                "bank", settings: ["security_profile=fapi2", "dpop_nonce=required"],
                client: ["--auth-method", "private_key_jwt"], in: directory)
            let server = try await TesseraServerProcess.start(in: directory)
            defer { Task { await server.stop() } }
            let output = try Self.flow("\(server.baseURL)/t/bank", client, ["--private-key-jwt"])
            try Self.expectTheSenderConstrainedFlow(output)
            #expect(output["require_pushed_authorization_requests"] as? Bool == true)
            // The first proof it sends anywhere lacks the nonce: PAR answers use_dpop_nonce, the
            // client retries with DPoP-Nonce's value and keeps the nonce each answer carries.
            #expect((output["nonce_retries"] as? [String])?.contains("par") == true, "\(output)")
            // A confidential client's refresh token is bound to its authentication, not to a
            // key (RFC 9449 §5): a proof by another key is a new binding, not a refusal. Under
            // FAPI 2.0 it does not rotate.
            #expect(output["refresh_other_key"] as? [AnyHashable] == [200, NSNull()], "\(output)")
            #expect((output["refresh"] as? [String: Any])?["rotated"] as? Bool == false)
        }
    }
}
