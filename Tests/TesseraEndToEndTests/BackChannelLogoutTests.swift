import Foundation
import TesseraTestSupport
import Testing

extension EndToEndTests {
    /// OIDC Back-Channel Logout 1.0 through the real `tessera serve`: a client registered with
    /// `--backchannel-logout-uri` pointing at a listener of the Python script on loopback receives
    /// a logout token after an RP-initiated logout; joserfc verifies it with the tenant's JWKS and
    /// checks §2.4's claims. A listener that is down, then answers 500, is retried until it takes
    /// the token, and each failed attempt is in the audit log.
    @Suite("Back-channel logout", .serialized)
    struct BackChannelLogoutTests {
        struct Setup {
            let directory: URL
            let clientID: String
            let secret: String
            let port: Int
        }

        static let redirectURI = "https://app.example.com/callback"

        static func setUp() throws -> Setup {
            let directory = try makeTemporaryDirectory()
            let port = try freeLoopbackPort()
            _ = try run(["tenant", "create", "acme", "--name", "Acme Corp", "--json"], in: directory)
            _ = try run(
                ["user", "create", "--tenant", "acme", "--username", "alice", "--password-stdin", "--json"],
                in: directory, stdin: UserDelegationTests.password)
            // A bad URI is refused by the CLI with one line, nothing created.
            let refused = try TesseraBinary.run(
                [
                    "client", "create", "--tenant", "acme", "--name", "Bad", "--redirect-uri", redirectURI,
                    "--backchannel-logout-uri", "http://app.example.com/logout",
                ], in: directory)
            #expect(refused.status != 0 && refused.stderr.contains("backchannel_logout_uri"))
            let web = try run(
                [
                    "client", "create", "--tenant", "acme", "--name", "Order Viewer", "--redirect-uri", redirectURI,
                    "--scope", "openid", "--json",
                ], in: directory)
            let clientID = try #require(web["client_id"] as? String)
            // Registered afterwards with `client update`, as an operator adds it to an existing app.
            let updated = try run(
                [
                    "client", "update", "--tenant", "acme", clientID, "--backchannel-logout-uri",
                    "http://127.0.0.1:\(port)/backchannel-logout", "--json",
                ], in: directory)
            #expect(updated["backchannel_logout_uri"] as? String == "http://127.0.0.1:\(port)/backchannel-logout")
            return Setup(
                directory: directory, clientID: clientID, secret: try #require(web["client_secret"] as? String),
                port: port)
        }

        static func run(_ arguments: [String], in directory: URL, stdin: String? = nil) throws -> [String: Any] {
            let result = try TesseraBinary.run(arguments, in: directory, stdin: stdin)
            guard result.status == 0 else { throw TestSetupError("\(arguments): \(result.stderr)") }
            return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
        }

        static let environment = ["TESSERA_OUTBOUND_ALLOW_LOOPBACK": "1", "TESSERA_BACKCHANNEL_RETRY_BASE": "1"]

        static func script(_ server: TesseraServerProcess, _ setup: Setup, mode: String) throws -> [String: Any] {
            let result = try Interop.python(
                "backchannel_logout.py",
                [
                    "\(server.baseURL)/t/acme", setup.clientID, setup.secret, redirectURI, "alice",
                    UserDelegationTests.password, "\(setup.port)", mode,
                ])
            #expect(result.status == 0, "\(result.stdout) \(result.stderr) \(server.output.suffix(2_000))")
            return result.json()
        }

        static func expectASpecLogoutToken(_ output: [String: Any]) {
            #expect(output["end_session_status"] as? Int == 200)
            #expect(output["content_type"] as? String == "application/x-www-form-urlencoded")
            #expect(output["form_members"] as? [String] == ["logout_token"])
            #expect(output["typ"] as? String == "logout+jwt")
            #expect(output["kid_in_jwks"] as? Bool == true)
            #expect(output["claim_names"] as? [String] == ["aud", "events", "exp", "iat", "iss", "jti", "sid", "sub"])
            let checks = output["checks"] as? [String: Bool] ?? [:]
            #expect(checks.count == 9 && checks.values.allSatisfy { $0 }, "\(checks)")
            #expect(output["one_jti"] as? Bool == true)
        }

        @Test func aListenerReceivesALogoutTokenThatJoserfcVerifies() async throws {
            let setup = try Self.setUp()
            let server = try await TesseraServerProcess.start(in: setup.directory, environment: Self.environment)
            defer { Task { await server.stop() } }
            let output = try Self.script(server, setup, mode: "up")
            Self.expectASpecLogoutToken(output)
            #expect(output["answers"] as? [Int] == [200], "one delivery, taken at once")
            #expect((output["delivered_after"] as? Double ?? 99) < 5)
        }

        @Test func aListenerThatIsDownThenFailingIsRetriedAndTheFailuresAudited() async throws {
            let setup = try Self.setUp()
            let server = try await TesseraServerProcess.start(in: setup.directory, environment: Self.environment)
            defer { Task { await server.stop() } }
            let output = try Self.script(server, setup, mode: "flaky")
            Self.expectASpecLogoutToken(output)
            #expect(output["answers"] as? [Int] == [500, 200], "a 500 is a failure (§2.8), retried")

            // The audit log through the admin API: refused connections and the 500, each a failure.
            let auditor = try Self.run(
                [
                    "client", "create", "--tenant", "acme", "--name", "Auditor", "--grant", "client_credentials",
                    "--scope", "tessera:admin:audit", "--json",
                ], in: setup.directory)
            let credentials = "\(auditor["client_id"] as? String ?? ""):\(auditor["client_secret"] as? String ?? "")"
            let token = try await HTTP.request(
                "POST", "\(server.baseURL)/t/acme/token",
                headers: [
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Authorization": "Basic " + Data(credentials.utf8).base64EncodedString(),
                ], body: HTTP.form(["grant_type": "client_credentials"]))
            let access = try #require(try token.json()["access_token"] as? String)
            let audit = try await HTTP.request(
                "GET", "\(server.baseURL)/t/acme/admin/v1/audit?limit=200",
                headers: ["Authorization": "Bearer \(access)"], body: nil)
            #expect(audit.status == 200)
            let items = try #require(try audit.json()["items"] as? [[String: Any]])
            let failures = items.filter { $0["action"] as? String == "backchannel_logout.failure" }
            let errors = failures.compactMap { ($0["details"] as? [String: Any])?["error"] as? String }
            #expect(errors.contains { $0.hasPrefix("no answer") }, "a refused connection: \(errors) \(failures)")
            #expect(errors.contains("answered HTTP 500"), "\(errors)")
            #expect(failures.allSatisfy { $0["target"] as? String == "client:\(setup.clientID)" })
            #expect(items.contains { $0["action"] as? String == "session.end" })
            #expect(!items.contains { $0["action"] as? String == "backchannel_logout.abandoned" })
        }
    }
}
