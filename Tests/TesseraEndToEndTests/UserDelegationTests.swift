import Foundation
import TesseraTestSupport
import Testing

extension EndToEndTests {
    /// A user delegates to apps through the real `tessera serve`: independent clients (authlib,
    /// and headless Chromium on the HTML pages) complete the authorization code flow.
    @Suite("User delegation", .serialized)
    struct UserDelegationTests {
        static let password = "correct horse battery"

        /// `acme` with a user, a confidential web app and a public native app, made through the CLI.
        /// `idTokenAlg` registers the web app's `id_token_signed_response_alg` (`--id-token-alg`).
        static func tenant(
            in directory: URL, idTokenAlg: String? = nil
        ) throws -> (web: (id: String, secret: String), native: String) {
            func run(_ arguments: [String], stdin: String? = nil) throws -> [String: Any] {
                let result = try TesseraBinary.run(arguments, in: directory, stdin: stdin)
                guard result.status == 0 else { throw TestSetupError("\(arguments): \(result.stderr)") }
                return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
            }
            _ = try run(["tenant", "create", "acme", "--json"])
            _ = try run([
                "scope", "create", "--tenant", "acme", "orders:read", "--description", "Read your orders", "--json",
            ])
            _ = try run(
                ["user", "create", "--tenant", "acme", "--username", "alice", "--password-stdin", "--json"],
                stdin: password)
            let grants = ["--grant", "authorization_code", "--grant", "refresh_token"]
            let scopes = ["--scope", "openid", "--scope", "profile", "--scope", "orders:read"]
            let web = try run(
                [
                    "client", "create", "--tenant", "acme", "--name", "Order Viewer", "--redirect-uri",
                    "https://app.example.com/callback", "--json",
                ] + grants + scopes + (idTokenAlg.map { ["--id-token-alg", $0] } ?? []))
            let native = try run(
                [
                    "client", "create", "--tenant", "acme", "--name", "Orders for Android", "--public",
                    "--redirect-uri",
                    "http://127.0.0.1/callback", "--json",
                ] + grants + scopes)
            guard let webID = web["client_id"] as? String, let secret = web["client_secret"] as? String,
                let nativeID = native["client_id"] as? String
            else { throw TestSetupError("client create printed \(web) \(native)") }
            return ((webID, secret), nativeID)
        }

        @Test func authlibCompletesCodeWithPKCEAndRefreshes() async throws {
            let directory = try makeTemporaryDirectory()
            let clients = try Self.tenant(in: directory)
            let server = try await TesseraServerProcess.start(in: directory)
            defer { Task { await server.stop() } }
            let result = try Interop.python(
                "authorization_code.py",
                [
                    "\(server.baseURL)/t/acme", clients.web.id, clients.web.secret, "https://app.example.com/callback",
                    "alice", Self.password,
                ])
            #expect(result.status == 0, "\(result.stderr)")
            let output = result.json()
            #expect(output["state_returned"] as? Bool == true)
            #expect(output["scope"] as? String == "openid orders:read profile")
            let access = output["access_token"] as? [String: Any] ?? [:]
            #expect(access["client_id"] as? String == clients.web.id)
            // RFC 8176: a password alone.
            #expect((output["id_token"] as? [String: Any])?["amr"] as? [String] == ["pwd"])
            #expect((access["sub"] as? String)?.count == 36)
            let userinfo = output["userinfo"] as? [String: Any] ?? [:]
            #expect(userinfo["preferred_username"] as? String == "alice")
            #expect(userinfo["sub"] as? String == access["sub"] as? String)
            #expect(output["reuse_status"] as? Int == 400)
            #expect(output["reuse_error"] as? String == "invalid_grant")
            // The reuse revoked the family, and with it the access tokens it issued.
            #expect(output["revoked_family_access_active"] as? [Bool] == [false, false], "\(output)")
        }

        /// OIDC Core §15.1: RS256 is mandatory to implement. A client registered with
        /// `--id-token-alg RS256` gets ID tokens that authlib and joserfc verify with RS256 alone,
        /// by an RSA key of the JWKS; discovery lists RS256; the access token stays ES256.
        @Test func authlibVerifiesTheRS256IDTokenOfAClientRegisteredForIt() async throws {
            let directory = try makeTemporaryDirectory()
            let clients = try Self.tenant(in: directory, idTokenAlg: "RS256")
            let server = try await TesseraServerProcess.start(in: directory)
            defer { Task { await server.stop() } }
            let result = try Interop.python(
                "authorization_code.py",
                [
                    "\(server.baseURL)/t/acme", clients.web.id, clients.web.secret, "https://app.example.com/callback",
                    "alice", Self.password, "RS256",
                ])
            #expect(result.status == 0, "\(result.stderr)")
            let output = result.json()
            let header = output["id_token_header"] as? [String: Any] ?? [:]
            #expect(header["alg"] as? String == "RS256")
            let jwk = output["id_token_jwk"] as? [String: Any] ?? [:]
            #expect(jwk["kty"] as? String == "RSA" && jwk["alg"] as? String == "RS256")
            #expect((output["id_token"] as? [String: Any])?["aud"] as? String == clients.web.id)
            #expect(output["reuse_error"] as? String == "invalid_grant")
            let metadata = try await HTTP.request(
                "GET", "\(server.baseURL)/t/acme/.well-known/openid-configuration"
            ).json()
            let algorithms = metadata["id_token_signing_alg_values_supported"] as? [String] ?? []
            #expect(algorithms.first == "ES256" && algorithms.contains("RS256"))
            // The access token is the main line's: ES256, as before.
            let listed = try TesseraBinary.run(["keys", "list", "--tenant", "acme", "--json"], in: directory)
            let keys = (try? JSONSerialization.jsonObject(with: Data(listed.stdout.utf8))) as? [[String: Any]] ?? []
            #expect(
                keys.filter { $0["line"] as? String == "id_token" }.compactMap { $0["alg"] as? String } == [
                    "RS256", "RS256",
                ])
            #expect(keys.filter { $0["line"] as? String == "main" }.allSatisfy { $0["alg"] as? String == "ES256" })
            // `none` and unknown names are refused with a sentence, and change nothing.
            for bad in ["none", "HS256"] {
                let refused = try TesseraBinary.run(
                    ["client", "update", "--tenant", "acme", "--id-token-alg", bad, clients.web.id], in: directory)
                #expect(refused.status != 0)
                #expect(refused.stderr.contains("id_token_signed_response_alg"), "\(refused.stderr)")
            }
        }

        /// Set TESSERA_SCREENSHOT_DIR to keep the screenshots (docs/screenshots is where the
        /// README's come from).
        @Test func chromiumSignsInThroughTheRealPages() async throws {
            let directory = try makeTemporaryDirectory()
            let clients = try Self.tenant(in: directory)
            let server = try await TesseraServerProcess.start(in: directory)
            defer { Task { await server.stop() } }
            let screenshots =
                ProcessInfo.processInfo.environment["TESSERA_SCREENSHOT_DIR"]
                ?? directory.appendingPathComponent("screenshots").path
            let result = try Interop.python(
                "browser_flow.py", ["\(server.baseURL)/t/acme", clients.native, "alice", Self.password, screenshots])
            #expect(result.status == 0, "\(result.stderr)")
            let output = result.json()
            #expect(output["token_status"] as? Int == 200, "\(output)")
            let token = output["token"] as? [String: Any] ?? [:]
            #expect(token["id_token"] is String && token["refresh_token"] is String)
            #expect((output["consent_text"] as? String)?.contains("Read your orders") == true)
            // The code flow's consent page has no device-code box (it once drew an empty one).
            #expect(output["consent_code_boxes"] as? Int == 0, "\(output)")
            #expect((output["consent_text"] as? String)?.contains("your device shows") == false)
            #expect((output["account_text"] as? String)?.contains("Orders for Android") == true)
            for page in ["login", "consent", "account"] {
                let size =
                    (try? FileManager.default.attributesOfItem(atPath: "\(screenshots)/\(page).png")[.size]) as? Int
                #expect((size ?? 0) > 1_000, "no screenshot of the \(page) page")
            }
        }
    }
}
