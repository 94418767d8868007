import Foundation
import TesseraTestSupport
import Testing

extension EndToEndTests {
    /// The admin API of a real `tessera serve`: the first start's credentials file, and the
    /// API fuzzed against its own OpenAPI document by independent tools.
    @Suite("Admin API end to end", .serialized)
    struct AdminAPIEndToEndTests {
        @Test func firstStartWritesTheSystemAdminCredentialsOnceAndOnlyForTheOwner() async throws {
            let directory = try makeTemporaryDirectory()
            let server = try await TesseraServerProcess.start(in: directory)
            let file = directory.appendingPathComponent(".tessera/system-admin.json")
            let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let credentials = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: String])
            let secret = try #require(credentials["client_secret"])
            #expect(server.output.contains(file.lastPathComponent))
            #expect(!server.output.contains(secret))
            // The credentials work: a system admin token lists tenants.
            let token = try await HTTP.request(
                "POST", "\(server.baseURL)/t/system/token",
                headers: [
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Authorization": "Basic "
                        + Data("\(credentials["client_id"] ?? ""):\(secret)".utf8).base64EncodedString(),
                ],
                body: HTTP.form(["grant_type": "client_credentials"]))
            let access = try #require(try token.json()["access_token"] as? String)
            let tenants = try await HTTP.request(
                "GET", "\(server.baseURL)/t/system/admin/v1/tenants", headers: ["Authorization": "Bearer \(access)"],
                body: nil)
            #expect(tenants.status == 200)
            #expect(await server.stop() == 0)

            // A second start on the same database makes no new admin and leaves the file alone.
            let before = try Data(contentsOf: file)
            let again = try await TesseraServerProcess.start(in: directory)
            #expect(try Data(contentsOf: file) == before)
            #expect(!again.output.contains("Created the system tenant's admin client"))
            _ = await again.stop()
        }

        @Test func schemathesisFindsNothingTheDocumentDoesNotSay() async throws {
            let directory = try makeTemporaryDirectory()
            let server = try await TesseraServerProcess.start(in: directory)
            defer { Task { await server.stop() } }
            let result = try Interop.python(
                "admin_api_fuzz.py",
                [server.baseURL, directory.appendingPathComponent(".tessera/system-admin.json").path])
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        }
    }
}
