import Foundation
import TesseraTestSupport
import Testing

extension EndToEndTests {
    /// Passkeys through the real `tessera serve`, with authenticators Tessera did not write: the
    /// WebAuthn virtual authenticator of headless Chromium through the real pages and script,
    /// and python-fido2's CBOR, COSE keys and authenticator data for every algorithm and every
    /// refusal. The public URL is `http://localhost:…`: an RP id is a domain, never an address.
    @Suite("Passkeys (WebAuthn)", .serialized)
    struct PasskeyTests {
        static let password = UserDelegationTests.password

        static func run(_ arguments: [String], in directory: URL, stdin: String? = nil) throws -> [String: Any] {
            let result = try TesseraBinary.run(arguments, in: directory, stdin: stdin)
            guard result.status == 0 else { throw TestSetupError("\(arguments): \(result.stderr)") }
            return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
        }

        static func users(_ names: [String], in directory: URL) throws {
            _ = try run(["tenant", "create", "acme", "--name", "Acme Corp", "--json"], in: directory)
            for name in names {
                _ = try run(
                    ["user", "create", "--tenant", "acme", "--username", name, "--password-stdin", "--json"],
                    in: directory, stdin: password)
            }
        }

        @Test func pythonFido2AuthenticatorsRegisterSignInAndAreRefusedWhereTheSpecSays() async throws {
            let directory = try makeTemporaryDirectory()
            try Self.users(["alice", "bob"], in: directory)
            let web = try Self.run(
                [
                    "client", "create", "--tenant", "acme", "--name", "Order Viewer", "--redirect-uri",
                    "https://app.example.com/callback", "--scope", "openid", "--json",
                ], in: directory)
            let server = try await TesseraServerProcess.start(in: directory, publicHost: "localhost")
            defer { Task { await server.stop() } }
            let result = try Interop.python(
                "passkey_ceremonies.py",
                [
                    "http://localhost:\(server.port)/t/acme", try #require(web["client_id"] as? String),
                    try #require(web["client_secret"] as? String), "https://app.example.com/callback", "alice",
                    Self.password, "bob",
                ])
            #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
            let output = result.json()
            // What the registration options ask for (WebAuthn L3 §5.4).
            #expect(output["offered_algorithms"] as? [Int] == [-7, -8, -257])
            #expect(output["resident_key"] as? String == "required")
            #expect(output["attestation"] as? String == "none")
            #expect(output["user_verification"] as? String == "required")
            #expect(output["register_statuses"] as? [String: Int] == ["ES256": 303, "EdDSA": 303, "RS256": 303])
            #expect(output["listed"] as? [String] == ["ES256 key", "EdDSA key", "RS256 key"])
            #expect(output["excluded"] as? Int == 3, "registered credentials are excluded from the next registration")
            #expect(output["packed_status"] as? Int == 400, "only none attestation is taken")
            #expect(output["reused_registration_challenge_status"] as? Int == 400)
            #expect(output["garbage_registration_status"] as? Int == 400)
            // Sign-in without a username lists no credentials and names the user by the handle.
            #expect(output["allow_credentials_on_login_page"] as? Int == 0)
            let amr = output["amr"] as? [String: [String]] ?? [:]
            for algorithm in ["ES256", "EdDSA", "RS256"] {
                #expect(amr[algorithm] == ["hwk", "user", "mfa"], "\(algorithm): \(amr)")
            }
            #expect(output["first_use_status"] as? Int == 303)
            // Each refusal is the login page again with 401: never a 5xx, never a session.
            for refusal in [
                "replayed_assertion_status", "reused_challenge_status", "wrong_origin_status", "wrong_rp_id_status",
                "no_user_verification_status", "backup_eligibility_changed_status", "no_user_handle_status",
                "unknown_credential_status", "counter_back_status", "garbage_assertion_status",
                "other_users_passkey_status",
            ] {
                #expect(output[refusal] as? Int == 401, "\(refusal): \(output[refusal] ?? "missing")")
            }
            #expect(output["after_refusals_amr"] as? [String] == ["hwk", "user", "mfa"])
            // After the password: the user's own passkeys, no code field (no authenticator app).
            #expect(output["second_factor_allow_credentials"] as? Int == 3)
            #expect(output["second_factor_asks_code"] as? Bool == false)
            #expect(output["second_factor_amr"] as? [String] == ["pwd", "hwk", "user", "mfa"])
        }

        /// Set TESSERA_SCREENSHOT_DIR to keep the screenshots (docs/screenshots is where the
        /// README's come from).
        @Test func chromiumRegistersAPasskeySignsInWithItAndSignsOut() async throws {
            let directory = try makeTemporaryDirectory()
            try Self.users(["carol"], in: directory)
            let port = try freeLoopbackPort()
            let native = try Self.run(
                [
                    "client", "create", "--tenant", "acme", "--name", "Orders for Android", "--public",
                    "--redirect-uri", "http://127.0.0.1/callback", "--post-logout-redirect-uri",
                    "http://127.0.0.1:\(port)/signed-out", "--scope", "openid", "--json",
                ], in: directory)
            let server = try await TesseraServerProcess.start(in: directory, publicHost: "localhost")
            defer { Task { await server.stop() } }
            let screenshots =
                ProcessInfo.processInfo.environment["TESSERA_SCREENSHOT_DIR"]
                ?? directory.appendingPathComponent("screenshots").path
            let result = try Interop.python(
                "passkey_browser.py",
                [
                    "http://localhost:\(server.port)/t/acme", try #require(native["client_id"] as? String), "carol",
                    Self.password, "\(port)", screenshots,
                ])
            #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
            let output = result.json()
            #expect(output["credentials"] as? Int == 1 && output["resident"] as? Bool == true)
            #expect((output["account_text"] as? String)?.contains("This laptop") == true)
            #expect(output["login_button"] as? String == "Sign in with a passkey")
            #expect(output["state_matches"] as? Bool == true && output["nonce_matches"] as? Bool == true)
            #expect(output["token_status"] as? Int == 200)
            #expect(output["amr"] as? [String] == ["hwk", "user", "mfa"])
            #expect((output["sign_count_after"] as? Int ?? 0) >= 1)
            #expect(output["logout_state_matches"] as? Bool == true)
            #expect(output["signed_out_after_hinted_logout"] as? Bool == true)
            #expect((output["confirm_text"] as? String)?.contains("Sign out?") == true)
            #expect(output["signed_out_after_confirmation"] as? Bool == true)
            for page in ["passkey-account", "passkey-login", "logout-confirm", "logout-done"] {
                let size =
                    (try? FileManager.default.attributesOfItem(atPath: "\(screenshots)/\(page).png")[.size]) as? Int
                #expect((size ?? 0) > 1_000, "no screenshot of the \(page) page")
            }
        }
    }
}
