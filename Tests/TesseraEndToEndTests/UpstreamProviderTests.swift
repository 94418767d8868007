import Foundation
import TesseraTestSupport
import Testing

extension EndToEndTests {
    /// Upstream identity providers through the real `tessera serve` with
    /// `TESSERA_OUTBOUND_ALLOW_LOOPBACK=1`: tenant A is the upstream of tenant B, authlib is B's
    /// relying party; and a fake upstream (joserfc) whose bad ID tokens B must refuse.
    @Suite("Upstream identity providers", .serialized, .timeLimit(.minutes(3)))
    struct UpstreamProviderTests {
        static let password = "correct horse battery"
        static let redirectURI = "https://shop.example.com/callback"

        /// Runs the CLI in `directory`; its JSON output.
        static func run(_ arguments: [String], in directory: URL, stdin: String? = nil) throws -> [String: Any] {
            let result = try TesseraBinary.run(arguments, in: directory, stdin: stdin)
            guard result.status == 0 else { throw TestSetupError("\(arguments): \(result.stderr)") }
            return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
        }

        static func client(_ tenant: String, _ arguments: [String], in directory: URL) throws -> (String, String) {
            let created = try run(["client", "create", "--tenant", tenant, "--json"] + arguments, in: directory)
            guard let id = created["client_id"] as? String, let secret = created["client_secret"] as? String else {
                throw TestSetupError("client create printed \(created)")
            }
            return (id, secret)
        }

        static func admin(_ tenant: String, in directory: URL) throws -> (String, String) {
            try client(
                tenant, ["--name", "Admin", "--grant", "client_credentials", "--scope", "tessera:admin"], in: directory)
        }

        @Test func authlibSignsInThroughAnotherTesseraTenantLinkedByIssAndSub() async throws {
            let directory = try makeTemporaryDirectory()
            _ = try Self.run(["tenant", "create", "a", "--name", "Corp IdP"], in: directory)
            _ = try Self.run(["tenant", "create", "b", "--name", "Shop"], in: directory)
            _ = try Self.run(
                ["tenant", "settings", "b", "--set", "upstream_user_creation=true"], in: directory)
            let alice = try Self.run(
                ["user", "create", "--tenant", "a", "--username", "alice", "--password-stdin", "--json"],
                in: directory, stdin: Self.password)
            let aliceID = try #require(alice["id"] as? String)
            let (aAdmin, aAdminSecret) = try Self.admin("a", in: directory)
            let (bAdmin, bAdminSecret) = try Self.admin("b", in: directory)
            let (shop, shopSecret) = try Self.client(
                "b",
                ["--name", "Shop app", "--redirect-uri", Self.redirectURI, "--scope", "openid", "--scope", "profile"],
                in: directory)

            let server = try await TesseraServerProcess.start(
                in: directory, environment: ["TESSERA_OUTBOUND_ALLOW_LOOPBACK": "1"])
            defer { Task { await server.stop() } }
            let result = try Interop.python(
                "upstream_tessera_rp.py",
                [
                    server.baseURL, aAdmin, aAdminSecret, bAdmin, bAdminSecret, shop, shopSecret, Self.redirectURI,
                    "alice", Self.password, aliceID,
                    directory.appendingPathComponent(".tessera/tessera.sqlite").path,
                ])
            #expect(result.status == 0, "\(result.stdout) \(result.stderr) \(server.output)")
            let output = result.json()
            #expect(output["redirect_uri_shown"] as? Bool == true)
            #expect(output["secret_hidden"] as? Bool == true)
            let first = try #require(output["sign_in_0"] as? [String: Any])
            #expect(first["offered"] as? Bool == true)
            #expect(first["callback"] as? String == "\(server.baseURL)/t/b/login/upstream/callback")
            #expect(first["callback_has_iss"] as? Bool == true, "A answers with RFC 9207 iss")
            let query = try #require(first["upstream_query"] as? [String: String])
            #expect(query["code_challenge_method"] == "S256" && query["nonce"] != nil && query["state"] != nil)
            #expect(first["username"] as? String == "alice")
            #expect(first["amr"] is NSNull || first["amr"] == nil, "an upstream-only sign-in names no RFC 8176 method")
            #expect(output["same_user"] as? Bool == true, "a second sign-in reuses the linked user")
            #expect(output["linked_by_iss_sub"] as? Bool == true, "\(output["links"] ?? "")")
        }

        @Test func aFakeUpstreamsBadIDTokensAreRefusedAndNothingIsCreated() async throws {
            let directory = try makeTemporaryDirectory()
            _ = try Self.run(["tenant", "create", "b", "--name", "Shop"], in: directory)
            _ = try Self.run(["tenant", "settings", "b", "--set", "upstream_user_creation=true"], in: directory)
            // A user of B named by the e-mail the fake upstream sends: never linked on its strength.
            _ = try Self.run(
                ["user", "create", "--tenant", "b", "--username", "bob@example.com", "--password-stdin"], in: directory,
                stdin: Self.password)
            let (bAdmin, bAdminSecret) = try Self.admin("b", in: directory)
            let (shop, _) = try Self.client(
                "b",
                ["--name", "Shop app", "--redirect-uri", Self.redirectURI, "--scope", "openid", "--scope", "profile"],
                in: directory)
            let server = try await TesseraServerProcess.start(
                in: directory, environment: ["TESSERA_OUTBOUND_ALLOW_LOOPBACK": "1"])
            defer { Task { await server.stop() } }
            let result = try Interop.python(
                "upstream_fake_op.py",
                [
                    "\(server.baseURL)/t/b", bAdmin, bAdminSecret, shop, Self.redirectURI, "bob@example.com",
                    directory.appendingPathComponent(".tessera/tessera.sqlite").path,
                ])
            #expect(result.status == 0, "\(result.stdout) \(result.stderr) \(server.output)")
            let output = result.json()
            let existing = try #require(output["existing_user_id"] as? String)

            // The good token (private_key_jwt at the fake's token endpoint) signs a new user in.
            let ok = try #require(output["ok"] as? [String: Any])
            #expect(ok["status"] as? Int == 200, "\(ok)")
            #expect(ok["signed_in"] as? Bool == true)
            #expect(ok["new_users"] as? [String] == ["ok-upstream"])
            #expect(ok["linked_to"] as? String != existing, "the e-mail's user was not linked")

            for (scenario, words) in [
                ("aud", "another client"), ("nonce", "nonce"), ("sig", "signature"), ("iss", "another issuer"),
            ] {
                let refused = try #require(output[scenario] as? [String: Any], "\(scenario)")
                #expect(refused["status"] as? Int == 400, "\(scenario): \(refused)")
                #expect((refused["text"] as? String ?? "").contains(words), "\(scenario): \(refused)")
                #expect(refused["signed_in"] as? Bool == false, "\(scenario)")
                #expect((refused["new_users"] as? [String])?.isEmpty == true, "\(scenario)")
                #expect(refused["linked_to"] is NSNull || refused["linked_to"] == nil, "\(scenario)")
            }
            // Mapped from the e-mail, the username is taken: a page, no link, no new user.
            let email = try #require(output["email"] as? [String: Any])
            #expect(email["status"] as? Int == 409, "\(email)")
            #expect((email["new_users"] as? [String])?.isEmpty == true)
            #expect(email["linked_to"] is NSNull || email["linked_to"] == nil)
            #expect(!server.output.contains("500"), "no refusal is a server error")
        }
    }
}
