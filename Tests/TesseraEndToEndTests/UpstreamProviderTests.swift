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

        /// Tenant B ("Shop"), creating users just in time, with an admin client and the app
        /// authlib plays: (admin id, admin secret, app id, app secret).
        static func shop(in directory: URL) throws -> (String, String, String, String) {
            _ = try run(["tenant", "create", "b", "--name", "Shop"], in: directory)
            _ = try run(["tenant", "settings", "b", "--set", "upstream_user_creation=true"], in: directory)
            let (admin, adminSecret) = try Self.admin("b", in: directory)
            let (app, appSecret) = try client(
                "b",
                ["--name", "Shop app", "--redirect-uri", redirectURI, "--scope", "openid", "--scope", "profile"],
                in: directory)
            return (admin, adminSecret, app, appSecret)
        }

        /// `tessera serve` allowed to reach loopback upstreams, and `script` run against it with
        /// `arguments` and the database path last.
        static func serve(
            _ directory: URL, _ script: String, _ arguments: (TesseraServerProcess) -> [String]
        ) async throws -> [String: Any] {
            let server = try await TesseraServerProcess.start(
                in: directory, environment: ["TESSERA_OUTBOUND_ALLOW_LOOPBACK": "1"])
            defer { Task { await server.stop() } }
            let result = try Interop.python(
                script, arguments(server) + [directory.appendingPathComponent(".tessera/tessera.sqlite").path])
            #expect(result.status == 0, "\(result.stdout) \(result.stderr) \(server.output)")
            return result.json()
        }

        @Test func authlibSignsInThroughAnotherTesseraTenantLinkedByIssAndSub() async throws {
            let directory = try makeTemporaryDirectory()
            _ = try Self.run(["tenant", "create", "a", "--name", "Corp IdP"], in: directory)
            let (bAdmin, bAdminSecret, shop, shopSecret) = try Self.shop(in: directory)
            let alice = try Self.run(
                ["user", "create", "--tenant", "a", "--username", "alice", "--password-stdin", "--json"],
                in: directory, stdin: Self.password)
            let aliceID = try #require(alice["id"] as? String)
            let (aAdmin, aAdminSecret) = try Self.admin("a", in: directory)
            var baseURL = ""
            let output = try await Self.serve(directory, "upstream_tessera_rp.py") { server in
                baseURL = server.baseURL
                return [
                    server.baseURL, aAdmin, aAdminSecret, bAdmin, bAdminSecret, shop, shopSecret, Self.redirectURI,
                    "alice", Self.password, aliceID,
                ]
            }
            #expect(output["redirect_uri_shown"] as? Bool == true)
            #expect(output["secret_hidden"] as? Bool == true)
            let first = try #require(output["sign_in_0"] as? [String: Any])
            #expect(first["offered"] as? Bool == true)
            #expect(first["callback"] as? String == "\(baseURL)/t/b/login/upstream/callback")
            #expect(first["callback_has_iss"] as? Bool == true, "A answers with RFC 9207 iss")
            let query = try #require(first["upstream_query"] as? [String: String])
            #expect(query["code_challenge_method"] == "S256" && query["nonce"] != nil && query["state"] != nil)
            #expect(first["username"] as? String == "alice")
            #expect(first["amr"] is NSNull || first["amr"] == nil, "an upstream-only sign-in names no RFC 8176 method")
            #expect(output["same_user"] as? Bool == true, "a second sign-in reuses the linked user")
            #expect(output["linked_by_iss_sub"] as? Bool == true, "\(output["links"] ?? "")")
        }

        @Test func theCommandLineManagesProvidersAndNeverPrintsTheSecret() throws {
            let directory = try makeTemporaryDirectory()
            _ = try Self.run(["tenant", "create", "b", "--name", "Shop"], in: directory)
            let created = try Self.run(
                [
                    "provider", "create", "--tenant", "b", "corp", "--name", "Corp", "--issuer",
                    "https://login.corp.example", "--client-id", "shop", "--client-secret-stdin", "--json",
                ], in: directory, stdin: "the upstream secret")
            #expect(created["has_client_secret"] as? Bool == true)
            #expect((created["redirect_uri"] as? String)?.hasSuffix("/t/b/login/upstream/callback") == true)
            #expect(!"\(created)".contains("the upstream secret"))
            let keyed = try Self.run(
                [
                    "provider", "create", "--tenant", "b", "keyed", "--name", "Keyed", "--issuer",
                    "https://login.corp.example", "--client-id", "shop", "--auth-method", "private_key_jwt", "--json",
                ], in: directory)
            #expect((keyed["jwks"] as? String)?.contains("\"kty\":\"EC\"") == true)
            let listed = try TesseraBinary.run(["provider", "list", "--tenant", "b", "--json"], in: directory)
            let slugs = (try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])?.map {
                $0["slug"] as? String
            }
            #expect(slugs == ["corp", "keyed"])
            let noOpenID = try TesseraBinary.run(
                [
                    "provider", "create", "--tenant", "b", "x", "--name", "X", "--issuer", "https://a.example",
                    "--client-id", "c", "--scope", "email", "--client-secret-stdin",
                ], in: directory, stdin: "s")
            #expect(noOpenID.status != 0 && noOpenID.stderr.contains("openid"))
            let plainHTTP = try TesseraBinary.run(
                [
                    "provider", "create", "--tenant", "b", "x", "--name", "X", "--issuer", "http://a.example",
                    "--client-id", "c", "--client-secret-stdin",
                ], in: directory, stdin: "s")
            #expect(plainHTTP.status != 0 && plainHTTP.stderr.contains("https"))
            #expect(try TesseraBinary.run(["provider", "delete", "--tenant", "b", "corp"], in: directory).status == 0)
            let gone = try TesseraBinary.run(["provider", "show", "--tenant", "b", "corp"], in: directory)
            #expect(gone.status != 0 && gone.stderr.contains("no identity provider 'corp'"))
        }

        @Test func aFakeUpstreamsBadIDTokensAreRefusedAndNothingIsCreated() async throws {
            let directory = try makeTemporaryDirectory()
            let (bAdmin, bAdminSecret, shop, _) = try Self.shop(in: directory)
            // A user of B named by the e-mail the fake upstream sends: never linked on its strength.
            _ = try Self.run(
                ["user", "create", "--tenant", "b", "--username", "bob@example.com", "--password-stdin"], in: directory,
                stdin: Self.password)
            let output = try await Self.serve(directory, "upstream_fake_op.py") { server in
                ["\(server.baseURL)/t/b", bAdmin, bAdminSecret, shop, Self.redirectURI, "bob@example.com"]
            }
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
        }
    }
}
