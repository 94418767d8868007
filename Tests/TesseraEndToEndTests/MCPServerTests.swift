import Foundation
import Synchronization
import TesseraTestSupport
import Testing

extension EndToEndTests {
    /// Issue 16's "Done when": the official `mcp` Python SDK's OAuth client, unchanged, connects
    /// to the MCP server example (`examples/mcp-server/server.py`) protected by a real `tessera
    /// serve`. From the first 401 it discovers the server's RFC 9728 metadata and the tenant's,
    /// registers itself (RFC 7591, registration open), signs alice in through the real login and
    /// consent pages with PKCE and `resource`, calls a tool, and on `add_note`, which needs
    /// `notes:write`, follows the 403 step-up to a token with that scope. Then the same SDK
    /// client, given a `client_metadata_url`, identifies itself by a client ID metadata document
    /// the test serves over https on loopback (the development setting on, its certificate
    /// trusted through TESSERA_OUTBOUND_CA_FILE) and does it all again without registering.
    @Suite("MCP server example", .serialized)
    struct MCPServerTests {
        @Test func theMCPSDKRegistersOrNamesItsMetadataDocumentSignsInCallsAToolAndStepsUp() async throws {
            let directory = try makeTemporaryDirectory()
            let password = UserDelegationTests.password
            func cli(_ arguments: [String], stdin: String? = nil) throws {
                let result = try TesseraBinary.run(arguments, in: directory, stdin: stdin)
                guard result.status == 0 else { throw TestSetupError("\(arguments): \(result.stderr)") }
            }
            let port = try freeLoopbackPort()
            let resource = "http://127.0.0.1:\(port)/mcp"
            try cli(["tenant", "create", "notes"])
            try cli(["scope", "create", "--tenant", "notes", "notes:read", "--description", "Read your notes"])
            try cli(["scope", "create", "--tenant", "notes", "notes:write", "--description", "Add notes"])
            try cli(
                ["user", "create", "--tenant", "notes", "--username", "alice", "--password-stdin"], stdin: password)
            try cli([
                "tenant", "settings", "notes", "--set", "registration=open", "--set",
                "client_id_metadata_documents=true",
            ])
            try cli(["registration", "policy", "set", "--tenant", "notes", "--scope", "notes:read"])
            try cli([
                "resource", "create", "--tenant", "notes", "--identifier", resource, "--name", "Notes MCP", "--scope",
                "notes:read", "--scope", "notes:write",
            ])
            let documentURL = Mutex("")
            let documents = try await LoopbackTLSServer { request in
                let id = documentURL.withLock { $0 }
                guard request.target == "/agents/mcp-client.json" else { return .init(status: 404, body: "") }
                return .json(
                    """
                    {"client_id":"\(id)","client_name":"mcp SDK agent","redirect_uris":["http://127.0.0.1:53682/callback"],
                    "grant_types":["authorization_code","refresh_token"],"response_types":["code"],
                    "token_endpoint_auth_method":"none"}
                    """, headers: [("Cache-Control", "max-age=600")])
            }
            documentURL.withLock { $0 = documents.url + "/agents/mcp-client.json" }
            let caFile = directory.appendingPathComponent("documents-ca.pem")
            try Data(documents.certificatePEM).write(to: caFile)
            let server = try await TesseraServerProcess.start(
                in: directory,
                environment: ["TESSERA_OUTBOUND_ALLOW_LOOPBACK": "1", "TESSERA_OUTBOUND_CA_FILE": caFile.path])
            defer { Task { await server.stop() } }
            defer { Task { await documents.stop() } }
            let issuer = "\(server.baseURL)/t/notes"

            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("examples/mcp-server/server.py").path
            let mcp = try AppExamplesTests.Background(
                "python3", [script, "--issuer", issuer, "--port", "\(port)"], in: directory, name: "mcp-server")
            defer { mcp.stop() }
            let deadline = Date().addingTimeInterval(30)
            // The SDK checks the Host header (DNS rebinding protection); this test client sends none by itself.
            let metadataURL = "http://127.0.0.1:\(port)/.well-known/oauth-protected-resource/mcp"
            while (try? await HTTP.request("GET", metadataURL, headers: ["Host": "127.0.0.1:\(port)"]))?.status != 200 {
                guard Date() < deadline, mcp.process.isRunning else {
                    throw TestSetupError("the MCP server never answered: \(mcp.text)")
                }
                try await Task.sleep(for: .milliseconds(200))
            }

            let result = try Interop.python("mcp_client.py", [resource, "alice", password])
            #expect(result.status == 0, "\(result.stderr.suffix(3_000)) \(mcp.text.suffix(2_000))")
            let output = result.json()
            #expect(output["tools"] as? [String] == ["add_note", "list_notes"])
            #expect(output["add_note"] as? [String] == ["added: buy tea"])
            #expect(output["list_notes"] as? [String] == ["buy tea"])
            let authorizations = output["authorizations"] as? [[String: Any]] ?? []
            // First for what the metadata lists, then the step-up to notes:write, each for this server.
            #expect(authorizations.count == 2, "\(output)")
            #expect(authorizations.allSatisfy { $0["resource"] as? String == resource })
            #expect((authorizations.first?["scope"] as? String)?.contains("notes:write") == false)
            #expect((authorizations.last?["scope"] as? String)?.contains("notes:write") == true)
            #expect((output["final_scope"] as? String)?.split(separator: " ").contains("notes:write") == true)
            // The SDK registered a client: the CLI lists it as self-registered and unverified.
            let clientID = try #require(output["client_id"] as? String)
            let listed = try TesseraBinary.run(
                ["client", "list", "--tenant", "notes", "--origin", "registration", "--json"], in: directory)
            let clients = (try? JSONSerialization.jsonObject(with: Data(listed.stdout.utf8))) as? [[String: Any]] ?? []
            #expect(clients.map { $0["client_id"] as? String } == [clientID], "\(listed.stdout) \(listed.stderr)")
            #expect(clients.first?["verified"] as? Bool == false)

            // The same SDK client, identified by its metadata document: no registration this time.
            let documentID = documents.url + "/agents/mcp-client.json"
            let second = try Interop.python("mcp_client.py", [resource, "alice", password, documentID])
            #expect(second.status == 0, "\(second.stderr.suffix(3_000)) \(server.output.suffix(2_000))")
            let viaDocument = second.json()
            #expect(viaDocument["client_id"] as? String == documentID)
            #expect(viaDocument["add_note"] as? [String] == ["added: buy tea"])
            #expect((viaDocument["authorizations"] as? [[String: Any]])?.count == 2, "\(viaDocument)")
            #expect((viaDocument["final_scope"] as? String)?.split(separator: " ").contains("notes:write") == true)
            #expect(documents.received.contains { $0.target == "/agents/mcp-client.json" })
            let fromDocuments = try TesseraBinary.run(
                ["client", "list", "--tenant", "notes", "--origin", "metadata_document", "--json"], in: directory)
            let documented =
                (try? JSONSerialization.jsonObject(with: Data(fromDocuments.stdout.utf8))) as? [[String: Any]] ?? []
            #expect(documented.map { $0["client_id"] as? String } == [documentID], "\(fromDocuments.stdout)")
            #expect(
                try TesseraBinary.run(
                    ["client", "list", "--tenant", "notes", "--origin", "registration", "--json"], in: directory
                ).stdout.contains(clientID))
        }
    }
}
