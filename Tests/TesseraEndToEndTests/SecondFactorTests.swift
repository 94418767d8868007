import Foundation
import TesseraTestSupport
import Testing

extension EndToEndTests {
    /// A second factor through the real `tessera serve`: the help-desk command of INTERFACE.md
    /// enrols a TOTP factor, and pyotp, an independent RFC 6238 implementation, computes the
    /// codes the sign-in then asks for.
    @Suite("Second factor (TOTP)", .serialized)
    struct SecondFactorTests {
        @Test func pyotpCodesCompleteASignInThatAsksForThem() async throws {
            let directory = try makeTemporaryDirectory()
            func run(_ arguments: [String], stdin: String? = nil) throws -> [String: Any] {
                let result = try TesseraBinary.run(arguments, in: directory, stdin: stdin)
                guard result.status == 0 else { throw TestSetupError("\(arguments): \(result.stderr)") }
                return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
            }
            _ = try run(["tenant", "create", "acme", "--name", "Acme Corp", "--json"])
            _ = try run(
                ["user", "create", "--tenant", "acme", "--username", "alice", "--password-stdin", "--json"],
                stdin: UserDelegationTests.password)
            let web = try run([
                "client", "create", "--tenant", "acme", "--name", "Order Viewer", "--redirect-uri",
                "https://app.example.com/callback", "--scope", "openid", "--json",
            ])
            let enrolled = try run(["user", "mfa", "totp", "--tenant", "acme", "--username", "ALICE", "--json"])
            let uri = try #require(enrolled["otpauth_uri"] as? String)
            let recoveryCodes = try #require(enrolled["recovery_codes"] as? [String])
            #expect(recoveryCodes.count == 10 && Set(recoveryCodes).count == 10)
            #expect(recoveryCodes.allSatisfy { $0.wholeMatch(of: /[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}/) != nil })
            #expect(uri.hasPrefix("otpauth://totp/Acme%20Corp:alice?secret="))
            // An unknown user is refused with one line.
            let unknown = try TesseraBinary.run(
                ["user", "mfa", "totp", "--tenant", "acme", "--username", "bob"], in: directory)
            #expect(unknown.status != 0 && unknown.stderr.contains("no user 'bob'"))

            let server = try await TesseraServerProcess.start(in: directory)
            defer { Task { await server.stop() } }
            let result = try Interop.python(
                "totp_sign_in.py",
                [
                    "\(server.baseURL)/t/acme", try #require(web["client_id"] as? String),
                    try #require(web["client_secret"] as? String), "https://app.example.com/callback", "alice",
                    UserDelegationTests.password, uri, recoveryCodes[3],
                ])
            #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
            let output = result.json()
            #expect(output["issuer_in_uri"] as? String == "Acme Corp")
            #expect(output["digits"] as? Int == 6 && output["interval"] as? Int == 30)
            #expect(output["code_page"] as? Bool == true, "the password alone must lead to the code page")
            #expect(output["wrong_status"] as? Int == 401)
            #expect(output["token_status"] as? Int == 200)
            #expect(output["amr"] as? [String] == ["pwd", "otp", "mfa"])
            #expect(output["replay_status"] as? Int == 401, "a code is taken once (RFC 6238 §5.2)")
            // Consent was given in the first sign-in, so the recovery code leads straight back (303).
            #expect(output["recovery_status"] as? Int == 303)
            #expect(output["recovery_again_status"] as? Int == 401, "a recovery code works once")
        }

        @Test func pyotpReadsTheSetupPageAndTurnsTheFactorOn() async throws {
            let directory = try makeTemporaryDirectory()
            for arguments in [["tenant", "create", "acme", "--name", "Acme Corp"]] {
                let result = try TesseraBinary.run(arguments, in: directory)
                #expect(result.status == 0, "\(result.stderr)")
            }
            let user = try TesseraBinary.run(
                ["user", "create", "--tenant", "acme", "--username", "bob", "--password-stdin"], in: directory,
                stdin: UserDelegationTests.password)
            #expect(user.status == 0, "\(user.stderr)")
            let server = try await TesseraServerProcess.start(in: directory)
            defer { Task { await server.stop() } }
            let result = try Interop.python(
                "totp_self_enrolment.py", ["\(server.baseURL)/t/acme", "bob", UserDelegationTests.password])
            #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
            let output = result.json()
            #expect(output["offered"] as? Bool == true)
            #expect(output["issuer"] as? String == "Acme Corp")
            #expect(output["qr_matches_link"] as? Bool == true, "the QR code encodes the link's URI")
            #expect(output["confirm_status"] as? Int == 200)
            #expect(output["recovery_codes"] as? Int == 10)
            #expect(output["asks_for_code"] as? Bool == true)
        }
    }
}
