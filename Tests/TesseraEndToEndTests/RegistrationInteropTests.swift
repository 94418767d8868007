import Foundation
import TesseraTestSupport
import Testing

extension EndToEndTests {
    /// Issue 16: "authlib registers a client by RFC 7591 and manages it by RFC 7592", against
    /// the real `tessera serve`, with the tenant opened through the CLI (settings, policy, an
    /// initial access token) as an operator would.
    @Suite("Dynamic client registration", .serialized)
    struct RegistrationInteropTests {
        @Test func authlibRegistersSignsInAndManagesItsRegistration() async throws {
            let directory = try makeTemporaryDirectory()
            _ = try UserDelegationTests.tenant(in: directory)
            func cli(_ arguments: [String]) throws -> String {
                let result = try TesseraBinary.run(arguments, in: directory)
                guard result.status == 0 else { throw TestSetupError("\(arguments): \(result.stderr)") }
                return result.stdout
            }
            _ = try cli(["tenant", "settings", "acme", "--set", "registration=initial_access_token"])
            _ = try cli([
                "registration", "policy", "set", "--tenant", "acme", "--scope", "openid", "--scope", "orders:read",
            ])
            let issued = try cli(["registration", "token", "create", "--tenant", "acme", "--uses", "1", "--ttl", "600"])
            let document = try #require(
                try JSONSerialization.jsonObject(with: Data(issued.utf8)) as? [String: Any], "\(issued)")
            let token = try #require(document["token"] as? String)
            #expect(document["uses_left"] as? Int == 1)
            let listed = try cli(["registration", "token", "list", "--tenant", "acme", "--json"])
            #expect(!listed.contains(token), "the token's value is shown once")

            let server = try await TesseraServerProcess.start(in: directory)
            defer { Task { await server.stop() } }
            let result = try Interop.python(
                "registration_authlib.py", ["\(server.baseURL)/t/acme", token, "alice", UserDelegationTests.password])
            #expect(result.status == 0, "\(result.stderr)")
            let output = result.json()
            #expect(output["without_token"] as? Int == 401)
            let registered = output["registered"] as? [String: Any] ?? [:]
            #expect(registered["token_endpoint_auth_method"] as? String == "client_secret_basic")
            #expect(registered["scope"] as? String == "openid orders:read")
            #expect(registered["client_secret_expires_at"] as? Int == 0)
            #expect((output["signed_in"] as? [String: Any])?["refreshed"] as? Bool == true)
            #expect(output["read_matches"] as? Bool == true)
            let updated = output["updated"] as? [String: Any] ?? [:]
            #expect(updated["client_name"] as? String == "authlib Orders 2")
            #expect(updated["token_rotated"] as? Bool == true)
            #expect(output["old_token_after_update"] as? Int == 401)
            #expect(output["deleted"] as? Int == 204)
            #expect(output["read_after_delete"] as? Int == 401)
            let refresh = output["refresh_after_delete"] as? [String: Any] ?? [:]
            #expect(refresh["status"] as? Int == 401 && refresh["error"] as? String == "invalid_client", "\(refresh)")
        }
    }
}
