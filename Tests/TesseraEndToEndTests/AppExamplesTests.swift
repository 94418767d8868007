import Crypto
import Foundation
import TesseraTestSupport
import Testing

extension EndToEndTests {
    /// examples/web-app and examples/native-app run as their READMEs say, against a real
    /// `tessera serve` seeded by `scripts/demo` and the real Orders API
    /// (`example-resource-server`); a requests session plays the user at Tessera's pages.
    @Suite("App examples", .serialized)
    struct AppExamplesTests {
        static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()

        /// The test run's environment without settings that would leak into the processes.
        static func environment(_ extra: [String: String] = [:]) -> [String: String] {
            var environment = ProcessInfo.processInfo.environment.filter {
                !$0.key.hasPrefix("TESSERA_") && !$0.key.hasPrefix("DEMO_")
            }
            environment["TESSERA_BCRYPT_COST"] = "10"
            for (key, value) in extra { environment[key] = value }
            return environment
        }

        /// Runs `scripts/demo` in the server's folder (same SQLite database) and returns the
        /// `.tessera/demo.json` it wrote.
        static func seed(_ server: TesseraServerProcess, webAppRedirect: String? = nil) throws -> [String: Any] {
            var extra = ["TESSERA_PUBLIC_URL": server.baseURL]
            if let webAppRedirect { extra["DEMO_WEB_APP_REDIRECT"] = webAppRedirect }
            let result = try ProcessRunner.run(
                "/bin/bash", [root.appendingPathComponent("scripts/demo").path, TesseraBinary.path],
                in: server.directory, environment: environment(extra))
            guard result.status == 0 else { throw TestSetupError("scripts/demo: \(result.stdout) \(result.stderr)") }
            let file = server.directory.appendingPathComponent(".tessera/demo.json")
            return try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any] ?? [:]
        }

        /// A long-running example whose standard output and error go to a file the test polls.
        ///
        /// It starts through a few lines of Python that unblock every signal before `exec`: a
        /// process Foundation starts from the test inherits the spawning thread's signal mask, in
        /// which SIGTERM is blocked, and Python keeps it so (`terminate()` would never end it).
        final class Background {
            let process = Process()
            let output: URL
            let name: String
            static let launcher = """
                import os, signal, sys
                signal.pthread_sigmask(signal.SIG_SETMASK, set())
                out = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                os.dup2(out, 1)
                os.dup2(out, 2)
                os.execvp(sys.argv[2], sys.argv[2:])
                """

            init(_ executable: String, _ arguments: [String], in directory: URL, name: String) throws {
                self.name = name
                output = directory.appendingPathComponent("\(name).out")
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = ["python3", "-c", Self.launcher, output.path, executable] + arguments
                process.currentDirectoryURL = directory
                process.environment = AppExamplesTests.environment()
                try process.run()
            }

            var text: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

            /// Waits until the output holds `needle` (returns the output) or the deadline passes.
            func waitFor(_ needle: String, seconds: Double = 30) async throws -> String {
                let deadline = Date().addingTimeInterval(seconds)
                while Date() < deadline {
                    if text.contains(needle) { return text }
                    if !process.isRunning { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                throw TestSetupError("\(name) never printed \(needle): \(text)")
            }

            /// Waits for the process to exit by itself; terminates it when the deadline passes.
            func waitForExit(seconds: Double = 30) async throws -> Int32 {
                let deadline = Date().addingTimeInterval(seconds)
                while process.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
                stop()
                return process.terminationStatus
            }

            /// SIGTERM, and SIGKILL when that has not ended it within 5 s.
            func stop() {
                if process.isRunning { process.terminate() }
                let deadline = Date().addingTimeInterval(5)
                while process.isRunning, Date() < deadline { usleep(20_000) }
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                process.waitUntilExit()
            }

            deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        }

        /// The Orders API, built next to the `tessera` binary, once it answers /healthz.
        static func startOrdersAPI(
            issuer: String, audience: String, in directory: URL, port: Int, name: String = "orders-api"
        ) async throws -> (Background, String) {
            let binary = URL(fileURLWithPath: TesseraBinary.path).deletingLastPathComponent()
                .appendingPathComponent("example-resource-server").path
            let api = try Background(
                binary, ["--issuer", issuer, "--audience", audience, "--port", "\(port)"], in: directory,
                name: name)
            let url = "http://127.0.0.1:\(port)"
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline, api.process.isRunning {
                if (try? await HTTP.request("GET", url + "/healthz"))?.status == 200 { return (api, url) }
                try await Task.sleep(for: .milliseconds(100))
            }
            api.stop()
            throw TestSetupError("the Orders API did not start: \(api.text)")
        }

        /// The user's credentials as scripts/demo made them.
        static func password(_ demo: [String: Any], _ user: String) throws -> String {
            try #require((demo["users"] as? [String: String])?[user])
        }

        @Test func webAppShowsAlicesOrdersAndRefreshesWithARotatedToken() async throws {
            let server = try await TesseraServerProcess.start(in: try makeTemporaryDirectory())
            defer { Task { await server.stop() } }
            let port = try freeLoopbackPort()
            let webApp = "http://127.0.0.1:\(port)"
            let demo = try Self.seed(server, webAppRedirect: "\(webApp)/callback")
            let issuer = try #require(demo["issuer"] as? String)
            let audience = try #require((demo["apis"] as? [String: String])?["orders"])
            let apiPort = try freeLoopbackPort()
            var (api, apiURL) = try await Self.startOrdersAPI(
                issuer: issuer, audience: audience, in: server.directory, port: apiPort)
            defer { api.stop() }
            let app = try Background(
                "python3",
                [
                    Self.root.appendingPathComponent("examples/web-app/web_app.py").path, "--orders-api",
                    apiURL, "--port", "\(port)",
                ], in: server.directory, name: "web-app")
            defer { app.stop() }
            _ = try await app.waitFor("Demo Shop web app on \(webApp)")

            let alice = try Interop.python("web_app_user.py", [webApp, "alice", try Self.password(demo, "alice")])
            #expect(alice.status == 0, "\(alice.stdout) \(alice.stderr) \(app.text)")
            let output = alice.json()
            #expect((output["home"] as? String)?.contains("Sign in with Tessera") == true)
            let authorize = try #require(output["authorize"] as? String)
            #expect(authorize.hasPrefix("\(issuer)/authorize?"))
            for part in ["code_challenge_method=S256", "code_challenge=", "state=", "nonce=", "scope=openid"] {
                #expect(authorize.contains(part), "\(authorize) lacks \(part)")
            }
            #expect(!authorize.contains("client_secret"))
            #expect((output["callback"] as? String)?.hasPrefix("\(webApp)/callback?code=") == true)
            #expect(output["final_url"] as? String == "\(webApp)/orders")
            #expect(output["status"] as? Int == 200, "\(output["page_text"] ?? "")")

            // The page shows alice and her orders, as the Orders API returned them for her.
            let page = output["page"] as? [String: Any] ?? [:]
            #expect(page["user"] as? String == "alice")
            let orders = page["orders"] as? [[String]] ?? []
            #expect(orders.count == 3, "\(output["page_text"] ?? "")")
            #expect(orders.allSatisfy { $0.count == 2 && $0[0].hasPrefix("order-") && !$0[1].isEmpty })
            #expect(page["refreshes"] as? Int == 0)
            #expect(!Self.containsJWT(output["page_text"] as? String ?? ""), "a token reached the browser")

            // Marked expired, the access token is refreshed with the rotating refresh token and
            // the page shows the same orders; a POST without the session cookie is refused.
            let after = output["after_expiry"] as? [String: Any] ?? [:]
            #expect(output["after_expiry_status"] as? Int == 200)
            #expect(after["user"] as? String == "alice")
            #expect(after["orders"] as? [[String]] == orders)
            #expect(after["refreshes"] as? Int == 1)
            #expect(output["without_cookie_status"] as? Int == 403)
            let log = app.text
            let first = try #require(
                log.firstMatch(of: /signed in alice; stored the refresh token \(([0-9a-f]{12})\)/)?.1, "\(log)")
            let rotation = try #require(
                log.firstMatch(of: /stored the new refresh token \(([0-9a-f]{12}), was ([0-9a-f]{12})\)/), "\(log)")
            #expect(rotation.2 == first)
            #expect(rotation.1 != first, "the refresh token did not change")
            #expect(!log.contains("code="), "the app logged an authorization code")

            // The signing key is revoked and a fresh Orders API instance (no cached JWKS) answers
            // 401 invalid_token to the access token the app holds: the app refreshes (the new
            // token is signed by the promoted key) and shows the orders again.
            let tenant = URL(string: issuer)?.lastPathComponent ?? "demo"
            let listed = try TesseraBinary.run(["keys", "list", "--tenant", tenant, "--json"], in: server.directory)
            let keys = (try? JSONSerialization.jsonObject(with: Data(listed.stdout.utf8))) as? [[String: Any]] ?? []
            let kid = try #require(keys.first { $0["state"] as? String == "current" }?["kid"] as? String, "\(listed)")
            let revoked = try TesseraBinary.run(
                ["keys", "revoke", "--tenant", tenant, "--kid", kid], in: server.directory)
            #expect(revoked.status == 0, "\(revoked.stderr)")
            let deadline = Date().addingTimeInterval(15)
            while Date() < deadline, try await HTTP.request("GET", "\(issuer)/jwks.json").text.contains(kid) {
                try await Task.sleep(for: .milliseconds(200))
            }
            api.stop()
            (api, _) = try await Self.startOrdersAPI(
                issuer: issuer, audience: audience, in: server.directory, port: apiPort, name: "orders-api-2")
            let cookie = try #require(output["session_cookie"] as? String)
            let again = try await HTTP.request(
                "GET", "\(webApp)/orders", headers: ["Cookie": "demo_shop_session=\(cookie)"])
            #expect(again.status == 200, "\(again.text) \(app.text)")
            #expect(again.text.contains("<span id=refreshes>2</span>"), "\(again.text)")
            #expect(orders.allSatisfy { again.text.contains("<tr><td>\($0[0])</td><td>\($0[1])</td></tr>") })
            #expect(app.text.contains("the Orders API refused the access token: Bearer"), "\(app.text)")

            // The orders are the user's: bob, in another browser, sees others.
            let bob = try Interop.python("web_app_user.py", [webApp, "bob", try Self.password(demo, "bob")])
            #expect(bob.status == 0, "\(bob.stderr)")
            let bobsPage = bob.json()["page"] as? [String: Any] ?? [:]
            #expect(bobsPage["user"] as? String == "bob")
            let bobsOrders = bobsPage["orders"] as? [[String]] ?? []
            #expect(bobsOrders.count == 3 && bobsOrders != orders)
        }

        /// The native app holds DPoP-bound tokens only (RFC 9449): its key signs the code
        /// exchange, each refresh and each call of the Orders API, and stays with the refresh token.
        @Test func nativeAppSignsInOnALoopbackRedirectAndRotatesItsStoredRefreshToken() async throws {
            let server = try await TesseraServerProcess.start(in: try makeTemporaryDirectory())
            defer { Task { await server.stop() } }
            let demo = try Self.seed(server)
            let issuer = try #require(demo["issuer"] as? String)
            let clientID = try #require((demo["native_app"] as? [String: String])?["client_id"])
            let audience = try #require((demo["apis"] as? [String: String])?["orders"])
            let (api, apiURL) = try await Self.startOrdersAPI(
                issuer: issuer, audience: audience, in: server.directory, port: try freeLoopbackPort())
            defer { api.stop() }
            let tokenFile = server.directory.appendingPathComponent("home/.config/tessera-demo/native-app.json")
            let script = Self.root.appendingPathComponent("examples/native-app/native_app.py").path
            let app = try Background(
                "python3",
                [script, "--no-browser", "--token-file", tokenFile.path, "--timeout", "60", "--orders-api", apiURL],
                in: server.directory, name: "native-app")
            defer { app.stop() }

            let printed = try await app.waitFor("/authorize?")
            let url = try #require(printed.split(separator: "\n").first { $0.hasPrefix("http") }.map(String.init))
            #expect(printed.hasPrefix("Sign in to Demo Shop in your browser."))
            #expect(url.hasPrefix("\(issuer)/authorize?"))
            #expect(url.contains("client_id=\(clientID)"))
            #expect(url.contains("code_challenge_method=S256") && url.contains("state="))
            #expect(url.contains(#/redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A[0-9]+%2Fcallback/#))

            let browser = try Interop.python("native_app_browser.py", [url, "alice", try Self.password(demo, "alice")])
            #expect(browser.status == 0, "\(browser.stdout) \(browser.stderr) \(app.text)")
            let landing = browser.json()
            #expect(landing["redirect_host"] as? String == "127.0.0.1")
            #expect(landing["favicon_status"] as? Int == 404)
            #expect(landing["landing_status"] as? Int == 200)
            #expect((landing["landing_text"] as? String)?.contains("Signed in. You can close this window") == true)

            let status = try await app.waitForExit()
            let text = app.text
            #expect(status == 0, "\(text)")
            #expect(text.contains("Signed in. The access token (DPoP, valid 600 s) says:"))
            #expect(text.contains("Stored the refresh token and its DPoP key in \(tokenFile.path) (mode 0600)."))
            #expect(text.contains("Your orders (dpop-bound token): order-"), "\(text) \(api.text)")
            let claims = try Self.claims(in: text)
            let thumbprint = try Self.storedKeyThumbprint(tokenFile)
            #expect((claims["cnf"] as? [String: Any])?["jkt"] as? String == thumbprint)
            #expect(claims["iss"] as? String == issuer)
            #expect(claims["client_id"] as? String == clientID)
            #expect(claims["aud"] as? String == (demo["apis"] as? [String: String])?["orders"])
            #expect((claims["scope"] as? String)?.split(separator: " ").contains("orders:read") == true)
            #expect((claims["sub"] as? String)?.count == 36)

            let stored = try Self.storedRefreshToken(tokenFile)
            #expect(!text.contains(stored), "the refresh token was printed")
            #expect(!Self.containsJWT(text), "a token was printed")

            // --refresh: a new access token, and the stored refresh token rotated.
            func refreshApp() throws -> ProcessRunner.Result {
                try ProcessRunner.run(
                    "/usr/bin/env",
                    ["python3", script, "--refresh", "--token-file", tokenFile.path, "--orders-api", apiURL],
                    in: server.directory, environment: Self.environment())
            }
            let refreshed = try refreshApp()
            #expect(refreshed.status == 0, "\(refreshed.stdout) \(refreshed.stderr)")
            #expect(refreshed.stdout.hasPrefix("Refreshed. The access token (DPoP,"))
            #expect(refreshed.stdout.contains("Your orders (dpop-bound token): order-"))
            let newClaims = try Self.claims(in: refreshed.stdout)
            #expect(newClaims["sub"] as? String == claims["sub"] as? String)
            #expect(newClaims["jti"] as? String != claims["jti"] as? String)
            #expect((newClaims["cnf"] as? [String: Any])?["jkt"] as? String == thumbprint)
            #expect(try Self.storedKeyThumbprint(tokenFile) == thumbprint, "the key must stay with the token")
            let rotated = try Self.storedRefreshToken(tokenFile)
            #expect(rotated != stored, "the stored refresh token did not rotate")
            #expect(!refreshed.stdout.contains(rotated) && !refreshed.stdout.contains(stored))
            #expect(!Self.containsJWT(refreshed.stdout + refreshed.stderr))

            // RFC 9449 §5: the refresh token alone, without a proof by the app's key, buys nothing,
            // and the refusal does not spend it: the app refreshes with it afterwards.
            let withoutKey = try await HTTP.request(
                "POST", "\(issuer)/token", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                body: HTTP.form(["grant_type": "refresh_token", "client_id": clientID, "refresh_token": rotated]))
            #expect(withoutKey.status == 400)
            #expect(try withoutKey.json()["error"] as? String == "invalid_dpop_proof")
            let again = try refreshApp()
            #expect(again.status == 0, "\(again.stdout) \(again.stderr)")

            // The replaced token is dead: presenting it revokes the family, so the app is told
            // to sign in again, as its README says.
            let reuse = try await HTTP.request(
                "POST", "\(issuer)/token", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                body: HTTP.form(["grant_type": "refresh_token", "client_id": clientID, "refresh_token": stored]))
            #expect(reuse.status == 400)
            #expect(try reuse.json()["error"] as? String == "invalid_grant")
            let revoked = try ProcessRunner.run(
                "/usr/bin/env", ["python3", script, "--refresh", "--token-file", tokenFile.path],
                in: server.directory, environment: Self.environment())
            #expect(revoked.status != 0)
            #expect(revoked.stderr.contains("refresh refused (invalid_grant): sign in again"), "\(revoked.stderr)")
        }

        /// Whether `text` holds something shaped like a JWS (header and claims are base64url JSON).
        static func containsJWT(_ text: String) -> Bool {
            text.contains(/eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\./)
        }

        /// The JSON object the native app printed between "says:" and "Stored".
        static func claims(in text: String) throws -> [String: Any] {
            let start = try #require(text.range(of: "says:\n")?.upperBound, "\(text)")
            let end = try #require(
                text.range(of: "\nStored the refresh token", range: start..<text.endIndex)?.lowerBound)
            return try JSONSerialization.jsonObject(with: Data(text[start..<end].utf8)) as? [String: Any] ?? [:]
        }

        /// RFC 7638 thumbprint of the DPoP key in the app's file (a private P-256 JWK).
        static func storedKeyThumbprint(_ file: URL) throws -> String {
            let record = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any] ?? [:]
            let key = try #require(record["dpop_key"] as? [String: Any], "\(record.keys)")
            #expect(key["d"] != nil && key["kty"] as? String == "EC" && key["crv"] as? String == "P-256")
            let x = try #require(key["x"] as? String)
            let y = try #require(key["y"] as? String)
            let canonical = #"{"crv":"P-256","kty":"EC","x":"\#(x)","y":"\#(y)"}"#
            return Data(SHA256.hash(data: Data(canonical.utf8))).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }

        /// The refresh token in the app's file, after checking that only its owner may read it.
        static func storedRefreshToken(_ file: URL) throws -> String {
            let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600, "\(attributes)")
            let record = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any] ?? [:]
            let token = try #require(record["refresh_token"] as? String)
            #expect(token.count >= 40)
            return token
        }
    }
}
