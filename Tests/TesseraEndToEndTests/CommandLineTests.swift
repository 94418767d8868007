import Foundation
import TesseraTestSupport
import Testing

/// The command line of INTERFACE.md: one JSON document with `--json`, one-line errors with a
/// non-zero exit, and nothing changed by a refused command.
extension EndToEndTests {
    @Suite("Command line", .serialized)
    struct CommandLineTests {
        let directory: URL

        init() throws {
            directory = try makeTemporaryDirectory()
            let created = try TesseraBinary.run(["tenant", "create", "acme", "--name", "Acme Corp"], in: directory)
            #expect(created.status == 0, "\(created.stderr)")
        }

        func run(_ arguments: [String], stdin: String? = nil) throws -> TesseraBinary.Result {
            try TesseraBinary.run(arguments, in: directory, stdin: stdin)
        }

        func json(_ result: TesseraBinary.Result) throws -> Any {
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        }

        /// The database as `tenant list`, `client` and `user` queries show it, to prove a refusal changed nothing.
        func snapshot() throws -> String {
            try run(["tenant", "list", "--json"]).stdout
        }

        @Test func createsScopeClientAndUserWithJSONOutput() throws {
            let scope = try run([
                "scope", "create", "--tenant", "acme", "orders:read", "--description", "Read orders", "--json",
            ])
            #expect(scope.status == 0, "\(scope.stderr)")
            #expect((try json(scope) as? [String: Any])?["name"] as? String == "orders:read")

            let client = try run([
                "client", "create", "--tenant", "acme", "--name", "Orders service", "--scope", "orders:read",
                "--grant", "client_credentials", "--audience", "https://api.example.com", "--json",
            ])
            #expect(client.status == 0, "\(client.stderr)")
            let clientJSON = try #require(try json(client) as? [String: Any])
            #expect((clientJSON["client_secret"] as? String)?.count == 43)
            #expect(clientJSON["grant_types"] as? [String] == ["client_credentials"])

            let app = try run([
                "client", "create", "--tenant", "acme", "--name", "Phone app", "--public",
                "--redirect-uri", "com.example.app:/cb", "--json",
            ])
            #expect(app.status == 0, "\(app.stderr)")
            let appJSON = try #require(try json(app) as? [String: Any])
            #expect(appJSON["client_secret"] == nil)
            #expect(appJSON["token_endpoint_auth_method"] as? String == "none")

            let user = try run(
                ["user", "create", "--tenant", "acme", "--username", "Alice", "--password-stdin", "--json"],
                stdin: "correct horse battery staple\n")
            #expect(user.status == 0, "\(user.stderr)")
            #expect((try json(user) as? [String: Any])?["username"] as? String == "alice")
            // INTERFACE.md's role command: granted, shown, withdrawn; an unknown role named.
            let granted = try run(
                ["user", "role", "add", "--tenant", "acme", "--username", "alice", "--role", "admin:keys", "--json"])
            #expect((try json(granted) as? [String: Any])?["roles"] as? [String] == ["admin:keys"], "\(granted.stderr)")
            let withdrawn = try run(
                ["user", "role", "remove", "--tenant", "acme", "--username", "alice", "--role", "admin:keys", "--json"])
            #expect((try json(withdrawn) as? [String: Any])?["roles"] as? [String] == [], "\(withdrawn.stderr)")
            let unknownRole = try run([
                "user", "role", "add", "--tenant", "acme", "--username", "alice", "--role", "root",
            ])
            #expect(unknownRole.status != 0 && unknownRole.stderr.contains("is not a role"), "\(unknownRole.stderr)")

            let tenants = try #require(try json(try run(["tenant", "list", "--json"])) as? [[String: Any]])
            #expect(tenants.compactMap { $0["slug"] as? String } == ["acme", "system"])
        }

        @Test(arguments: [
            (["tenant", "create", "acme"], "already exists"),
            (["tenant", "create", "Not_A_Slug"], "not a valid tenant slug"),
            (["scope", "create", "--tenant", "nope", "x"], "no tenant 'nope'"),
            (["client", "create", "--tenant", "nope", "--name", "x"], "no tenant 'nope'"),
            (
                ["client", "create", "--tenant", "acme", "--name", "x", "--grant", "password"],
                "unknown grant 'password'"
            ),
            (["client", "create", "--tenant", "acme", "--name", "x", "--scope", "missing"], "has no scope 'missing'"),
            (
                ["client", "create", "--tenant", "acme", "--name", "x", "--redirect-uri", "not a uri"],
                "not a valid redirect URI"
            ),
            (
                [
                    "client", "create", "--tenant", "acme", "--name", "x", "--redirect-uri",
                    "http://evil.example.com/cb",
                ], "http is allowed only for loopback"
            ),
            (
                ["client", "create", "--tenant", "acme", "--name", "x", "--public", "--grant", "client_credentials"],
                "public client cannot use"
            ),
            (["user", "create", "--tenant", "acme", "--username", "bob"], "--password-stdin"),
            (["tenant", "settings", "acme", "--set", "nope=1"], "unknown setting"),
            (["tenant", "settings", "acme", "--set", "access_token_ttl=forever"], "not a duration"),
            (["tenant", "settings", "acme", "--set", "security_profile=fapi1"], "is not one of default, fapi2"),
            (
                ["tenant", "settings", "acme", "--set", "require_pushed_authorization_requests=yes"],
                "not true or false"
            ),
            (
                [
                    "tenant", "settings", "acme", "--set", "security_profile=fapi2", "--set",
                    "authorization_code_ttl=120",
                ],
                "at most 60 seconds"
            ),
            (
                ["client", "create", "--tenant", "acme", "--name", "x", "--auth-method", "tls_client_auth"],
                "tls_client_auth needs the certificate's subject DN"
            ),
            (
                [
                    "client", "create", "--tenant", "acme", "--name", "x", "--auth-method", "tls_client_auth",
                    "--tls-subject", "CN=a", "--tls-san-dns", "a.example",
                ], "not both"
            ),
            (
                ["client", "create", "--tenant", "acme", "--name", "x", "--tls-subject", "CN=a"],
                "applies to clients that authenticate with tls_client_auth"
            ),
            (
                [
                    "client", "create", "--tenant", "acme", "--name", "x", "--public", "--redirect-uri",
                    "https://app.example.com/cb", "--refresh-rotation", "reuse",
                ],
                "rotated unless they are DPoP-bound"
            ),
            (
                ["client", "create", "--tenant", "acme", "--name", "x", "--require-par"],
                "needs the authorization_code grant"
            ),
        ])
        func badArgumentsFailWithOneLineAndChangeNothing(arguments: [String], message: String) throws {
            let before = try snapshot()
            let result = try run(arguments)
            #expect(result.status != 0)
            let lines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
            #expect(lines.count == 1, "\(result.stderr)")
            #expect(result.stderr.contains(message), "\(result.stderr)")
            #expect(result.stdout.isEmpty)
            #expect(try snapshot() == before)
        }

        @Test func clientRequirementsAreRegisteredFromTheCommandLine() throws {
            let created = try run([
                "client", "create", "--tenant", "acme", "--name", "Phone", "--public", "--redirect-uri",
                "https://app.example.com/cb", "--dpop-bound", "--require-par", "--refresh-rotation", "reuse", "--json",
            ])
            #expect(created.status == 0, "\(created.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any])
            #expect(json["dpop_bound_access_tokens"] as? Bool == true)
            #expect(json["require_pushed_authorization_requests"] as? Bool == true)
            #expect(json["refresh_token_rotation"] as? String == "reuse")
            let settings = try run(["tenant", "settings", "acme", "--set", "dpop_nonce=required", "--json"])
            #expect(settings.status == 0, "\(settings.stderr)")
            let shown = try #require(
                try JSONSerialization.jsonObject(with: Data(settings.stdout.utf8)) as? [String: Any])
            #expect(shown["dpop_nonce"] as? String == "required")
        }

        @Test func duplicateUserIsRefused() throws {
            let first = try run(
                ["user", "create", "--tenant", "acme", "--username", "bob", "--password-stdin"],
                stdin: "long enough pw\n")
            #expect(first.status == 0, "\(first.stderr)")
            let second = try run(
                ["user", "create", "--tenant", "acme", "--username", "BOB", "--password-stdin"],
                stdin: "long enough pw\n")
            #expect(second.status != 0)
            #expect(second.stderr.contains("already exists"))
        }

        @Test func keysRewrapMovesEveryKeyToANewMasterKey() throws {
            let newKey = try run(["master-key", "generate"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let keyFile = directory.appendingPathComponent("new.key")
            try Data((newKey + "\n").utf8).write(to: keyFile)
            let rewrapped = try run(["keys", "rewrap", "--new-master-key-file", keyFile.path])
            #expect(rewrapped.status == 0, "\(rewrapped.stderr)")
            // The old key no longer opens the keys; the new one does.
            let withOld = try run(["keys", "list", "--tenant", "acme"])
            #expect(withOld.status != 0)
            #expect(withOld.stderr.contains("master key does not open"))
            let withNew = try run(["keys", "list", "--tenant", "acme", "--master-key-file", keyFile.path, "--json"])
            #expect(withNew.status == 0, "\(withNew.stderr)")
            let keys = try #require(try json(withNew) as? [[String: Any]])
            #expect(keys.compactMap { $0["state"] as? String }.sorted() == ["current", "next"])
        }

        @Test func keysRotateAndRevokeChangeStatesAndRefuseUnknownKids() throws {
            let rotated = try #require(
                try json(try run(["keys", "rotate", "--tenant", "acme", "--alg", "EdDSA", "--json"]))
                    as? [[String: Any]])
            #expect(rotated.compactMap { $0["state"] as? String }.sorted() == ["current", "next", "previous"])
            // `--alg EdDSA` names the key type; the key's JWS alg is RFC 9864's `Ed25519`.
            #expect(rotated.first { $0["state"] as? String == "next" }?["alg"] as? String == "Ed25519")
            let previous = try #require(rotated.first { $0["state"] as? String == "previous" }?["kid"] as? String)
            #expect(try run(["keys", "revoke", "--tenant", "acme", "--kid", previous]).status == 0)
            let unknown = try run(["keys", "revoke", "--tenant", "acme", "--kid", "nope"])
            #expect(unknown.status != 0)
            #expect(unknown.stderr.contains("has no key 'nope'"))
            // Kids are base64url: one may begin with "-" and must still read as the value of --kid.
            let dashed = try run(["keys", "revoke", "--tenant", "acme", "--kid", "-nope"])
            #expect(dashed.stderr.contains("has no key '-nope'"), "\(dashed.stderr)")
            let bad = try run(["keys", "rotate", "--tenant", "acme", "--alg", "HS256"])
            #expect(bad.status != 0)
            let listed = try #require(
                try json(try run(["keys", "list", "--tenant", "acme", "--json"])) as? [[String: Any]])
            #expect(listed.first { $0["kid"] as? String == previous }?["state"] as? String == "revoked")
            #expect(listed.allSatisfy { $0["d"] == nil })
        }

        @Test func tenantSettingsChangeAndShow() throws {
            let changed = try run(["tenant", "settings", "acme", "--set", "access_token_ttl=5m", "--json"])
            #expect(changed.status == 0, "\(changed.stderr)")
            #expect((try json(changed) as? [String: Any])?["access_token_ttl"] as? Int == 300)
            let shown = try run(["tenant", "settings", "acme"])
            #expect(shown.stdout.contains("access_token_ttl"))
            #expect(shown.stdout.contains("300"))
        }
    }
}
