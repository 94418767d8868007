import Foundation
import TesseraTestSupport

/// A tenant with a client-credentials client, made through the CLI as an operator would.
struct TenantFixture {
    let slug: String
    let clientID: String
    let clientSecret: String

    static func make(
        _ slug: String, in directory: URL, environment: [String: String], algorithm: String? = nil
    ) throws -> TenantFixture {
        func run(_ arguments: [String]) throws -> TesseraBinary.Result {
            let result = try TesseraBinary.run(arguments, in: directory, environment: environment)
            guard result.status == 0 else { throw TestSetupError("\(arguments): \(result.stderr)") }
            return result
        }
        _ = try run(["tenant", "create", slug])
        if let algorithm {
            // Two rotations make a key of the new algorithm the current one.
            _ = try run(["keys", "rotate", "--tenant", slug, "--alg", algorithm])
            _ = try run(["keys", "rotate", "--tenant", slug, "--alg", algorithm])
        }
        _ = try run(["scope", "create", "--tenant", slug, "orders:read"])
        let created = try run([
            "client", "create", "--tenant", slug, "--name", "Orders service", "--scope", "orders:read",
            "--audience", "https://api.example.com", "--json",
        ])
        let json = try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any] ?? [:]
        guard let id = json["client_id"] as? String, let secret = json["client_secret"] as? String else {
            throw TestSetupError("client create printed \(created.stdout)")
        }
        return TenantFixture(slug: slug, clientID: id, clientSecret: secret)
    }

    var basicAuthorization: String {
        "Basic " + Data("\(clientID):\(clientSecret)".utf8).base64EncodedString()
    }

    /// POSTs a form to one of the tenant's endpoints with this client's credentials.
    func post(
        _ path: String, _ fields: [String: String], to server: TesseraServerProcess, tenant: String? = nil
    )
        async throws -> HTTP.Reply
    {
        try await HTTP.request(
            "POST", "\(server.baseURL)/t/\(tenant ?? slug)\(path)",
            headers: ["Content-Type": "application/x-www-form-urlencoded", "Authorization": basicAuthorization],
            body: HTTP.form(fields))
    }

    /// Whether `server` says the token is active (RFC 7662).
    func isActive(_ token: String, at server: TesseraServerProcess) async throws -> Bool {
        let reply = try await post("/introspect", ["token": token], to: server)
        guard reply.status == 200 else { throw TestSetupError("introspection: \(reply.status) \(reply.text)") }
        return try reply.json()["active"] as? Bool == true
    }

    /// A client-credentials token from `server`, or the failing reply.
    func token(from server: TesseraServerProcess) async throws -> String {
        let reply = try await HTTP.request(
            "POST", "\(server.baseURL)/t/\(slug)/token",
            headers: [
                "Content-Type": "application/x-www-form-urlencoded",
                "Authorization": "Basic " + Data("\(clientID):\(clientSecret)".utf8).base64EncodedString(),
            ],
            body: HTTP.form(["grant_type": "client_credentials"]))
        guard reply.status == 200, let token = try reply.json()["access_token"] as? String else {
            throw TestSetupError("token request failed: \(reply.status) \(reply.text)")
        }
        return token
    }
}
