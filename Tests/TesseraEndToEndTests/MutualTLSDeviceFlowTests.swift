import Crypto
import Foundation
import TesseraTestSupport
import Testing

/// RFC 8705 as IoT fleets run it: a real nginx terminates mutual TLS on loopback in front of the
/// `tessera` binary and forwards each verified device certificate in `Client-Cert` (RFC 9440).
/// A device registered with `tls_client_auth` runs the device flow through it with `curl`, gets
/// a token bound to its certificate, and only its certificate opens userinfo with it. Tessera
/// trusts the proxy's address only (nginx connects from 127.0.0.2), so the same header sent
/// straight to Tessera from 127.0.0.1 is ignored. The same token is then verified at the
/// resource-server example behind a second nginx (connecting from 127.0.0.3, the one proxy the
/// example trusts): RFC 8705 §3 at an independent API.
extension EndToEndTests {
    @Suite("Mutual TLS device flow (nginx)", .serialized)
    struct MutualTLSDeviceFlowTests {
        static let password = "correct horse battery"
        static let ordersAPI = "https://orders.example.com"

        /// A form POST through the proxy with `curl`, presenting `credential` (or no certificate).
        static func post(
            _ proxy: NginxMutualTLSProxy, _ path: String, _ form: [String: String],
            presenting credential: TestPKI.Credential?, headers: [(String, String)] = []
        ) throws -> (status: Int, json: [String: Any]) {
            var arguments = [
                "--silent", "--show-error", "--max-time", "10", "--cacert", proxy.pki.caCertificate.path,
                "--write-out", "\n%{http_code}",
            ]
            if let credential { arguments += ["--cert", credential.certificate.path, "--key", credential.key.path] }
            for (name, value) in headers { arguments += ["--header", "\(name): \(value)"] }
            for (name, value) in form.sorted(by: { $0.key < $1.key }) {
                arguments += ["--data-urlencode", "\(name)=\(value)"]
            }
            let result = try ProcessRunner.run(NginxMutualTLSProxy.curl, arguments + ["\(proxy.baseURL)\(path)"])
            return try Self.reply(result)
        }

        static func reply(_ result: ProcessRunner.Result) throws -> (status: Int, json: [String: Any]) {
            let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            guard let status = lines.last.flatMap({ Int($0) }) else {
                throw TestSetupError("curl: \(result.stdout) \(result.stderr)")
            }
            let body = lines.dropLast().joined(separator: "\n")
            let json = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
            return (status, json)
        }

        /// A GET through the proxy with a bearer token.
        static func get(
            _ proxy: NginxMutualTLSProxy, _ path: String, token: String, presenting credential: TestPKI.Credential?
        ) throws -> Int {
            var arguments = [
                "--silent", "--show-error", "--max-time", "10", "--cacert", proxy.pki.caCertificate.path,
                "--output", "/dev/null", "--write-out", "%{http_code}", "--header", "Authorization: Bearer \(token)",
            ]
            if let credential { arguments += ["--cert", credential.certificate.path, "--key", credential.key.path] }
            let result = try ProcessRunner.run(NginxMutualTLSProxy.curl, arguments + ["\(proxy.baseURL)\(path)"])
            return Int(result.stdout) ?? 0
        }

        /// The resource-server example behind its own nginx (same CA, so it knows the same
        /// devices), trusting only that proxy's address: the certificate-bound token opens
        /// /orders over the device's certificate and nothing else (RFC 8705 §3).
        static func expectTheOrdersAPIOpensOnlyOver(
            _ device: TestPKI.Credential, not impostor: TestPKI.Credential, token: String, issuer: String,
            pki: TestPKI, in directory: URL
        ) async throws {
            let (api, base) = try EndToEndTests.APIExamplesTests.resourceServer(
                issuer: issuer, audience: Self.ordersAPI, in: directory, arguments: ["--trusted-proxy", "127.0.0.3"])
            defer { api.stop() }
            try await api.waitUntilServing(base + "/healthz")
            try await NginxMutualTLSProxy.with(upstream: base, bindingFrom: "127.0.0.3", pki: pki) { apiProxy in
                #expect(try Self.get(apiProxy, "/orders", token: token, presenting: device) == 200, "\(api.output)")
                #expect(try Self.get(apiProxy, "/orders", token: token, presenting: impostor) == 401)
                #expect(try Self.get(apiProxy, "/orders", token: token, presenting: nil) == 401)
                let orders = try apiProxy.get(
                    "/orders", presenting: device, headers: [("Authorization", "Bearer \(token)")])
                #expect(orders.stdout.contains(#""binding":"certificate""#), "\(orders.stdout)")
            }
            // Straight to the API from 127.0.0.1, the device's Client-Cert is anyone's claim.
            let direct = try await HTTP.request(
                "GET", base + "/orders",
                headers: ["Authorization": "Bearer \(token)", "Client-Cert": device.clientCertHeaderValue])
            #expect(direct.status == 401)
            #expect(
                direct.headers(named: "WWW-Authenticate").first?.contains(#"error="invalid_token""#) == true,
                "\(direct.fields)")
            #expect(api.output.contains("Ignored a Client-Cert header from 127.0.0.1"), "\(api.output)")
        }

        @Test(.enabled(if: NginxMutualTLSProxy.isAvailable, "needs nginx with the njs module, openssl and curl"))
        func aDeviceBehindNginxGetsATokenOnlyItsCertificateOpens() async throws {
            let directory = try makeTemporaryDirectory()
            let environment = ["TESSERA_TRUSTED_PROXIES": "127.0.0.2"]
            func cli(_ arguments: [String], stdin: String? = nil) throws -> [String: Any] {
                let result = try TesseraBinary.run(arguments, in: directory, environment: environment, stdin: stdin)
                guard result.status == 0 else { throw TestSetupError("\(arguments): \(result.stderr)") }
                return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
            }
            _ = try cli(["tenant", "create", "iot", "--json"])
            _ = try cli(["scope", "create", "--tenant", "iot", "telemetry:write", "--json"])
            _ = try cli(["scope", "create", "--tenant", "iot", "orders:read", "--json"])
            _ = try cli(
                ["user", "create", "--tenant", "iot", "--username", "alice", "--password-stdin", "--json"],
                stdin: Self.password)
            let client = try cli([
                "client", "create", "--tenant", "iot", "--name", "Sensor", "--auth-method", "tls_client_auth",
                "--tls-subject", "CN=device-1, O=Acme", "--certificate-bound", "--grant",
                "urn:ietf:params:oauth:grant-type:device_code", "--scope", "openid", "--scope", "telemetry:write",
                "--scope", "orders:read", "--audience", Self.ordersAPI, "--json",
            ])
            let clientID = try #require(client["client_id"] as? String, "\(client)")
            #expect(client["client_secret"] == nil)

            let server = try await TesseraServerProcess.start(in: directory, environment: environment)
            defer { Task { await server.stop() } }
            try await NginxMutualTLSProxy.with(upstream: server.baseURL, bindingFrom: "127.0.0.2") { proxy in
                let device = try proxy.pki.device("device-1", subject: "/O=Acme/CN=device-1")
                let impostor = try proxy.pki.device("device-2", subject: "/O=Acme/CN=device-2")

                // Without its certificate, or with another device's, the device is nobody.
                let start = ["client_id": clientID, "scope": "openid telemetry:write orders:read"]
                for credential in [nil, impostor] {
                    let refused = try Self.post(proxy, "/t/iot/device_authorization", start, presenting: credential)
                    #expect(refused.status == 401 && refused.json["error"] as? String == "invalid_client")
                }
                let authorization = try Self.post(proxy, "/t/iot/device_authorization", start, presenting: device)
                #expect(authorization.status == 200, "\(authorization.json)")
                let userCode = try #require(authorization.json["user_code"] as? String)
                let deviceCode = try #require(authorization.json["device_code"] as? String)

                // A person approves on the verification page, as on any other device flow.
                let approval = try Interop.python(
                    "approve_device.py", [server.baseURL + "/t/iot", userCode, "alice", Self.password])
                #expect(approval.status == 0, "\(approval.stdout) \(approval.stderr)")

                let poll = [
                    "grant_type": "urn:ietf:params:oauth:grant-type:device_code", "device_code": deviceCode,
                    "client_id": clientID,
                ]
                let stolen = try Self.post(proxy, "/t/iot/token", poll, presenting: impostor)
                #expect(stolen.json["error"] as? String == "invalid_client")
                let issued = try Self.post(proxy, "/t/iot/token", poll, presenting: device)
                #expect(issued.status == 200, "\(issued.json)")
                #expect(issued.json["token_type"] as? String == "Bearer")
                let token = try #require(issued.json["access_token"] as? String)
                // RFC 8705 §3.1: cnf x5t#S256 is the SHA-256 of the certificate's DER.
                let thumbprint = Data(SHA256.hash(data: device.der)).base64EncodedString()
                    .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                    .replacingOccurrences(of: "=", with: "")
                let claims = try Inspect.claims(of: token)
                #expect((claims["cnf"] as? [String: Any])?["x5t#S256"] as? String == thumbprint)

                // Only over the device's own certificate does the token open userinfo.
                #expect(try Self.get(proxy, "/t/iot/userinfo", token: token, presenting: device) == 200)
                #expect(try Self.get(proxy, "/t/iot/userinfo", token: token, presenting: impostor) == 401)
                #expect(try Self.get(proxy, "/t/iot/userinfo", token: token, presenting: nil) == 401)
                // Straight to Tessera from 127.0.0.1, a Client-Cert header is nobody's, and logged.
                let direct = try await HTTP.request(
                    "GET", "\(server.baseURL)/t/iot/userinfo",
                    headers: ["Authorization": "Bearer \(token)", "Client-Cert": device.clientCertHeaderValue])
                #expect(direct.status == 401)
                #expect(server.output.contains("Ignored a Client-Cert header"))

                try await Self.expectTheOrdersAPIOpensOnlyOver(
                    device, not: impostor, token: token, issuer: server.baseURL + "/t/iot", pki: proxy.pki,
                    in: directory)
            }
        }
    }
}
