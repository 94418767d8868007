import Foundation
import TesseraTestSupport
import Testing

extension EndToEndTests {
    /// The resource-server and service-chain examples, run as their READMEs say against a real
    /// server seeded by `scripts/demo`.
    @Suite("API examples", .serialized)
    struct APIExamplesTests {
        static var root: URL {
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent()
        }

        /// `scripts/demo` in the server's folder; what it wrote to .tessera/demo.json.
        static func seed(_ directory: URL, _ server: TesseraServerProcess) throws -> [String: Any] {
            var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TESSERA_") }
            environment["TESSERA_PUBLIC_URL"] = server.baseURL
            environment["TESSERA_BCRYPT_COST"] = "10"
            let result = try ProcessRunner.run(
                "/bin/bash", [root.appendingPathComponent("scripts/demo").path, TesseraBinary.path], in: directory,
                environment: environment)
            guard result.status == 0 else { throw TestSetupError("scripts/demo: \(result.stderr)") }
            let data = try Data(contentsOf: directory.appendingPathComponent(".tessera/demo.json"))
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }

        /// A process of ours that the test stops, with its output in a file.
        final class Background: @unchecked Sendable {
            let process = Process()
            let log: URL

            init(_ executable: String, _ arguments: [String], in directory: URL, name: String) throws {
                log = directory.appendingPathComponent("\(name).log")
                FileManager.default.createFile(atPath: log.path, contents: nil)
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = arguments
                process.currentDirectoryURL = directory
                let handle = try FileHandle(forWritingTo: log)
                process.standardOutput = handle
                process.standardError = handle
                try process.run()
            }

            var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

            /// SIGKILL: children of the test runner inherit a signal mask with SIGTERM blocked,
            /// so a polite stop would wait forever; these are fixtures, nothing to flush.
            func stop() {
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                process.waitUntilExit()
            }

            /// Waits until `url` answers at all (any status), for at most 20 s.
            func waitUntilServing(_ url: String) async throws {
                for _ in 0..<200 {
                    if (try? await HTTP.request("GET", url)) != nil { return }
                    guard process.isRunning else { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                throw TestSetupError("\(url) never answered: \(output)")
            }
        }

        /// The example on a free loopback port; `arguments` adds options (`--trusted-proxy`, `--public-url`).
        static func resourceServer(
            issuer: String, audience: String, in directory: URL, arguments: [String] = []
        ) throws -> (Background, String) {
            let port = try freeLoopbackPort()
            let binary = URL(fileURLWithPath: TesseraBinary.path).deletingLastPathComponent()
                .appendingPathComponent("example-resource-server").path
            let server = try Background(
                binary, ["--issuer", issuer, "--audience", audience, "--port", "\(port)"] + arguments, in: directory,
                name: "api-\(port)")
            return (server, "http://127.0.0.1:\(port)")
        }

        /// A client-credentials client of the demo tenant whose tokens the Orders API accepts.
        static func probeClient(_ directory: URL) throws -> (id: String, secret: String) {
            let result = try TesseraBinary.run(
                [
                    "client", "create", "--tenant", "demo", "--name", "Probe", "--scope", "orders:read", "--audience",
                    "https://orders.example.com", "--json",
                ], in: directory)
            let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
            guard let id = json["client_id"] as? String, let secret = json["client_secret"] as? String else {
                throw TestSetupError("client create: \(result.stderr)")
            }
            return (id, secret)
        }

        static func token(_ server: TesseraServerProcess, _ client: (id: String, secret: String)) async throws -> String
        {
            let reply = try await HTTP.request(
                "POST", "\(server.baseURL)/t/demo/token",
                headers: [
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Authorization": "Basic " + Data("\(client.id):\(client.secret)".utf8).base64EncodedString(),
                ], body: HTTP.form(["grant_type": "client_credentials"]))
            return try #require(try reply.json()["access_token"] as? String, "\(reply.text)")
        }

        @Test func theOrdersAPIChecksTokensAndSurvivesRotationsWithAWarmCache() async throws {
            let directory = try makeTemporaryDirectory()
            let server = try await TesseraServerProcess.start(in: directory)
            defer { Task { await server.stop() } }
            let demo = try Self.seed(directory, server)
            let issuer = try #require(demo["issuer"] as? String)
            let (api, base) = try Self.resourceServer(
                issuer: issuer, audience: "https://orders.example.com", in: directory)
            defer { api.stop() }
            try await api.waitUntilServing(base + "/healthz")

            let anonymous = try await HTTP.request("GET", base + "/orders")
            #expect(anonymous.status == 401)
            // RFC 9449 §7.1: a Bearer and a DPoP challenge, side by side; RFC 9728 §5.1: each
            // names the protected-resource metadata; RFC 6750 §3: and the scope the route needs.
            let metadataURL = base + "/.well-known/oauth-protected-resource"
            #expect(
                anonymous.headers(named: "WWW-Authenticate") == [
                    #"Bearer realm="https://orders.example.com", resource_metadata="\#(metadataURL)", scope="orders:read""#,
                    #"DPoP realm="https://orders.example.com", algs="ES256 ES384 PS256 RS256 Ed25519 EdDSA", resource_metadata="\#(metadataURL)", scope="orders:read""#,
                ])
            // RFC 9728 §2, §3: the metadata names the resource and the tenant that issues its tokens.
            let metadata = try await HTTP.request("GET", metadataURL)
            #expect(metadata.status == 200)
            let document = try metadata.json()
            #expect(document["resource"] as? String == "https://orders.example.com")
            #expect(document["authorization_servers"] as? [String] == [issuer])
            #expect(document["scopes_supported"] as? [String] == ["orders:read", "billing:read"])
            #expect(document["bearer_methods_supported"] as? [String] == ["header"])
            // The authorization server it names answers RFC 8414 metadata for that issuer.
            let tenantMetadata = try await HTTP.request("GET", issuer + "/.well-known/openid-configuration")
            #expect(try tenantMetadata.json()["issuer"] as? String == issuer)
            let probe = try Self.probeClient(directory)
            let token = try await Self.token(server, probe)
            let orders = try await HTTP.request("GET", base + "/orders", headers: ["Authorization": "Bearer \(token)"])
            #expect(orders.status == 200, "\(orders.text) \(api.output)")
            #expect(try orders.json()["user"] as? String == probe.id)
            let forbidden = try await HTTP.request(
                "GET", base + "/invoices", headers: ["Authorization": "Bearer \(token)"])
            #expect(forbidden.status == 403)
            #expect(
                forbidden.headers(named: "WWW-Authenticate").first?.contains(
                    #"error="insufficient_scope", scope="billing:read""#) == true)
            let tampered = try await HTTP.request(
                "GET", base + "/orders", headers: ["Authorization": "Bearer \(token.dropLast(2))xy"])
            #expect(
                tampered.headers(named: "WWW-Authenticate").first?.hasPrefix(
                    #"Bearer realm="https://orders.example.com", error="invalid_token""#)
                    == true)

            // Two rotations while serving: the first key to sign was published ahead (in the
            // warm cache); the second was not, and one refetch finds it. No request fails.
            var failures: [String] = []
            for round in 0..<2 {
                let rotated = try TesseraBinary.run(["keys", "rotate", "--tenant", "demo"], in: directory)
                #expect(rotated.status == 0, "\(rotated.stderr)")
                let deadline = Date().addingTimeInterval(3)
                while Date() < deadline {
                    let fresh = try await Self.token(server, probe)
                    for bearer in [fresh, token] {
                        let answer = try await HTTP.request(
                            "GET", base + "/orders", headers: ["Authorization": "Bearer \(bearer)"])
                        if answer.status != 200 {
                            failures.append(
                                "round \(round): \(answer.status) \(answer.header("WWW-Authenticate") ?? "")")
                        }
                    }
                }
            }
            #expect(failures.isEmpty, "\(failures.prefix(5))")
        }

        /// RFC 9449 §7 at the example, with an independent client: joserfc's key and proofs for a
        /// DPoP-bound token Tessera issued; each flawed proof is `invalid_dpop_proof`.
        /// RFC 9470: with `--invoices-acr`, a token of a weaker sign-in is told which `acr_values`
        /// to ask for (a token that names no acr meets none).
        @Test func theInvoicesRouteAsksForAStrongerSignIn() async throws {
            let directory = try makeTemporaryDirectory()
            let server = try await TesseraServerProcess.start(in: directory)
            defer { Task { await server.stop() } }
            let demo = try Self.seed(directory, server)
            let issuer = try #require(demo["issuer"] as? String)
            let (api, base) = try Self.resourceServer(
                issuer: issuer, audience: "https://orders.example.com", in: directory,
                arguments: ["--invoices-acr", "urn:tessera:acr:2fa"])
            defer { api.stop() }
            try await api.waitUntilServing(base + "/healthz")
            let created = try TesseraBinary.run(
                [
                    "client", "create", "--tenant", "demo", "--name", "Billing probe", "--scope", "billing:read",
                    "--audience", "https://orders.example.com", "--json",
                ], in: directory)
            let json = try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any] ?? [:]
            let probe = (
                id: try #require(json["client_id"] as? String), secret: try #require(json["client_secret"] as? String)
            )
            let token = try await Self.token(server, probe)
            let weak = try await HTTP.request("GET", base + "/invoices", headers: ["Authorization": "Bearer \(token)"])
            #expect(weak.status == 401)
            #expect(
                weak.headers(named: "WWW-Authenticate").first?.contains(
                    #"error="insufficient_user_authentication""#) == true)
            #expect(
                weak.headers(named: "WWW-Authenticate").first?.contains(#"acr_values="urn:tessera:acr:2fa""#) == true)
        }

        /// RFC 9470 end to end: the API's refusal names the acr_values, the app asks Tessera for
        /// them, the user steps up (setting up an authenticator app inside the sign-in, its code
        /// computed by pyotp), and the new token is taken.
        @Test func aRefusedTokenStepsUpToTwoFactorsAndIsThenTaken() async throws {
            let directory = try makeTemporaryDirectory()
            func run(_ arguments: [String], stdin: String? = nil) throws -> [String: Any] {
                let result = try TesseraBinary.run(arguments + ["--json"], in: directory, stdin: stdin)
                guard result.status == 0 else { throw TestSetupError("\(arguments): \(result.stderr)") }
                return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
            }
            _ = try run(["tenant", "create", "billing"])
            _ = try run(["scope", "create", "--tenant", "billing", "billing:read"])
            _ = try run(
                ["user", "create", "--tenant", "billing", "--username", "dana", "--password-stdin"],
                stdin: UserDelegationTests.password)
            let app = try run([
                "client", "create", "--tenant", "billing", "--name", "Invoices", "--redirect-uri",
                "https://app.example.com/callback", "--scope", "openid", "--scope", "billing:read", "--audience",
                "https://billing.example.com",
            ])
            let server = try await TesseraServerProcess.start(in: directory)
            defer { Task { await server.stop() } }
            let issuer = "\(server.baseURL)/t/billing"
            let (api, base) = try Self.resourceServer(
                issuer: issuer, audience: "https://billing.example.com", in: directory,
                arguments: ["--invoices-acr", "urn:tessera:acr:2fa"])
            defer { api.stop() }
            try await api.waitUntilServing(base + "/healthz")
            let result = try Interop.python(
                "step_up.py",
                [
                    issuer, try #require(app["client_id"] as? String), try #require(app["client_secret"] as? String),
                    "https://app.example.com/callback", "dana", UserDelegationTests.password, base,
                ])
            #expect(result.status == 0, "\(result.stdout) \(result.stderr) \(api.output)")
            let output = result.json()
            #expect(output["first_amr"] as? [String] == ["pwd"])
            #expect(output["first_status"] as? Int == 401)
            #expect(output["first_error"] as? String == "insufficient_user_authentication")
            #expect(output["asked_acr_values"] as? String == "urn:tessera:acr:2fa")
            #expect(output["setup_page"] as? Bool == true)
            #expect(output["recovery_codes"] as? Int == 10)
            #expect(output["second_amr"] as? [String] == ["pwd", "otp", "mfa"])
            #expect(output["second_acr"] as? String == "urn:tessera:acr:2fa")
            #expect(output["access_acr"] as? String == "urn:tessera:acr:2fa")
            #expect(output["second_status"] as? Int == 200)
        }

        @Test func theOrdersAPITakesADPoPBoundTokenOnlyWithAFreshProofByItsKey() async throws {
            let directory = try makeTemporaryDirectory()
            let server = try await TesseraServerProcess.start(in: directory)
            defer { Task { await server.stop() } }
            let demo = try Self.seed(directory, server)
            let issuer = try #require(demo["issuer"] as? String)
            let (api, base) = try Self.resourceServer(
                issuer: issuer, audience: "https://orders.example.com", in: directory)
            defer { api.stop() }
            try await api.waitUntilServing(base + "/healthz")
            let probe = try Self.probeClient(directory)

            let result = try Interop.python("dpop_resource_server.py", [issuer, probe.id, probe.secret, base])
            #expect(result.status == 0, "\(result.stdout) \(result.stderr) \(api.output)")
            let output = result.json()
            func answer(_ name: String) -> (status: Int?, error: String?, binding: String?) {
                let item = output[name] as? [String: Any] ?? [:]
                return (item["status"] as? Int, item["error"] as? String, item["binding"] as? String)
            }
            #expect(answer("ok") == (200, nil, "dpop"), "\(output)")
            #expect(answer("second") == (200, nil, "dpop"))
            for refused in [
                "replay", "wrong_ath", "no_ath", "wrong_htu", "wrong_htm", "other_key", "stale", "no_proof",
                "two_proofs",
            ] {
                #expect(answer(refused) == (401, "invalid_dpop_proof", nil), "\(refused): \(output[refused] ?? "")")
            }
            // §7.2: a DPoP-bound token is no bearer token; the error goes on the Bearer challenge.
            #expect(answer("as_bearer") == (401, "invalid_token", nil))
            let downgrade = (output["as_bearer"] as? [String: Any])?["challenges"] as? [String] ?? []
            #expect(
                downgrade.first?.hasPrefix(#"Bearer realm="https://orders.example.com", error="invalid_token""#) == true
            )
            #expect(downgrade.last?.hasPrefix(#"DPoP realm="https://orders.example.com", algs=""#) == true)
            let replay = (output["replay"] as? [String: Any])?["challenges"] as? [String] ?? []
            #expect(replay.last?.contains(#"error="invalid_dpop_proof""#) == true, "\(replay)")
            #expect(answer("insufficient_scope") == (403, "insufficient_scope", nil))
            #expect(answer("anonymous") == (401, nil, nil))
        }

        @Test func serviceAExchangesTheUsersTokenAndTheBillingAPISeesActingParty() async throws {
            let directory = try makeTemporaryDirectory()
            let server = try await TesseraServerProcess.start(in: directory)
            defer { Task { await server.stop() } }
            let demo = try Self.seed(directory, server)
            let issuer = try #require(demo["issuer"] as? String)
            let serviceAID = try #require((demo["service_a"] as? [String: Any])?["client_id"] as? String)
            let (billing, billingBase) = try Self.resourceServer(
                issuer: issuer, audience: "https://billing.example.com", in: directory)
            defer { billing.stop() }
            let port = try freeLoopbackPort()
            let serviceA = try Background(
                "/usr/bin/env",
                [
                    "python3", Self.root.appendingPathComponent("examples/service-chain/service_a.py").path,
                    "--billing-api", billingBase, "--port", "\(port)",
                ], in: directory, name: "service-a")
            defer { serviceA.stop() }
            try await billing.waitUntilServing(billingBase + "/healthz")
            try await serviceA.waitUntilServing("http://127.0.0.1:\(port)/summary")

            let signIn = try ProcessRunner.run(
                "/usr/bin/env",
                ["python3", Self.root.appendingPathComponent("examples/service-chain/sign_in.py").path, "alice"],
                in: directory)
            #expect(signIn.status == 0, "\(signIn.stderr)")
            let userToken = signIn.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let summary = try await HTTP.request(
                "GET", "http://127.0.0.1:\(port)/summary", headers: ["Authorization": "Bearer \(userToken)"])
            #expect(summary.status == 200, "\(summary.text) \(serviceA.output)")
            let body = try summary.json()
            #expect(body["exchanged_scope"] as? String == "billing:read")
            let answer = try #require(body["billing"] as? [String: Any], "\(body)")
            #expect(answer["user"] as? String == body["user"] as? String)
            #expect((answer["act"] as? [String: Any])?["sub"] as? String == serviceAID)
            #expect((answer["invoices"] as? [Any])?.isEmpty == false)

            // The user's own token is not one the Billing API takes: another audience.
            let direct = try await HTTP.request(
                "GET", billingBase + "/invoices", headers: ["Authorization": "Bearer \(userToken)"])
            #expect(direct.status == 401)
            // A token Service A was not meant to receive is refused before any exchange.
            let stranger = try await HTTP.request(
                "GET", "http://127.0.0.1:\(port)/summary", headers: ["Authorization": "Bearer not-a-token"])
            #expect(stranger.status == 401)
        }
    }
}
