import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TesseraCore
import TesseraJOSE
import TesseraServer
import TesseraTestSupport
import Testing

/// A thousand malformed requests at the token, introspection and revocation endpoints: every
/// one gets a 4xx, and the server still answers a good request afterwards.
@Suite("Malformed requests")
struct MalformedRequestTests {
    /// A deterministic generator, so a failure can be replayed from its seed.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    struct Case: Sendable {
        let path: String
        let method: HTTPRequest.Method
        let headers: HTTPFields
        let body: [UInt8]
    }

    static func cases(count: Int, seed: UInt64, clientID: String, secret: String) -> [Case] {
        var random = SplitMix64(state: seed)
        let paths = [
            "/t/acme/token", "/t/acme/introspect", "/t/acme/revoke", "/t/nope/token", "/t/ACME/token",
            "/t/acme/token/x", "/t/acme/par",
        ]
        let goodBasic = "Basic " + Data("\(clientID):\(secret)".utf8).base64EncodedString()
        let authorizations = [
            nil, goodBasic, "Basic", "Basic !!!", "Basic " + Data("no-colon".utf8).base64EncodedString(),
            "Basic " + Data("\(clientID):wrong".utf8).base64EncodedString(), "Bearer abc",
            "basic " + String(repeating: "A", count: 5_000),
            "Basic " + Data(":".utf8).base64EncodedString(), "Digest x",
            "Basic " + Data([0xff, 0xfe, 0x3a, 0x00]).base64EncodedString(),
        ]
        let contentTypes = [
            "application/x-www-form-urlencoded", "application/json", "text/plain", "multipart/form-data; boundary=x",
            "application/x-www-form-urlencoded; charset=utf-8", "", "application/x-www-form-urlencoded;;;",
        ]
        let fragments: [[UInt8]] = [
            Array("grant_type=client_credentials".utf8), Array("grant_type=".utf8), Array("grant_type=password".utf8),
            Array("grant_type=client_credentials&grant_type=client_credentials".utf8), Array("scope=%".utf8),
            Array("scope=%zz".utf8), Array("scope=a%00b".utf8), [0xff, 0xfe, 0xfd], Array("token=".utf8),
            Array("token=eyJhbGciOiJub25lIn0.e30.".utf8), Array("token=a.b.c".utf8), Array("resource=%%%".utf8),
            Array("client_id=\(clientID)".utf8), Array("client_secret=\(secret)".utf8),
            Array(
                "client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer&client_assertion=x.y.z"
                    .utf8),
            Array("scope=\(String(repeating: "s", count: 3_000))".utf8), Array("&&&==&=".utf8), Array("=x".utf8),
            Array("resource=https://evil.example.com".utf8), Array("scope=orders:read orders:write admin".utf8),
            Array("grant_type=urn:ietf:params:oauth:grant-type:device_code".utf8), Array("\u{202e}=\u{0}".utf8),
            Array("response_type=code&redirect_uri=https://app.example.com/cb".utf8),
            Array("request_uri=urn:ietf:params:oauth:request_uri:x".utf8),
            Array("request=eyJhbGciOiJub25lIn0.e30.".utf8),
            Array("request=a.b.c".utf8), Array("dpop_jkt=%ff".utf8), Array("code_challenge_method=S256".utf8),
        ]
        // RFC 9449 §4.1: DPoP headers that are no proof, or two of them.
        let proofs: [[String]] = [[], [], [], ["x"], ["a.b.c"], ["eyJhbGciOiJub25lIn0.e30."], ["a.b.c", "a.b.c"]]
        return (0..<count).map { index in
            var headers = HTTPFields()
            if let authorization = authorizations.randomElement(using: &random) ?? nil {
                headers[.authorization] = authorization
            }
            if let type = contentTypes.randomElement(using: &random), !type.isEmpty { headers[.contentType] = type }
            for proof in proofs.randomElement(using: &random) ?? [] {
                headers.append(HTTPField(name: HTTPField.Name("DPoP")!, value: proof))
            }
            var body: [UInt8] = []
            for _ in 0..<Int.random(in: 0...4, using: &random) {
                if !body.isEmpty { body.append(UInt8(ascii: "&")) }
                body += fragments.randomElement(using: &random) ?? []
            }
            // Every twentieth body is random bytes; every fiftieth is over the size limit.
            if index % 20 == 7 {
                body = (0..<Int.random(in: 1...512, using: &random)).map { _ in
                    UInt8.random(in: 0...255, using: &random)
                }
            }
            if index % 50 == 13 { body = Array(repeating: UInt8(ascii: "a"), count: 70_000) }
            let method: HTTPRequest.Method = index % 25 == 3 ? .get : (index % 31 == 5 ? .put : .post)
            return Case(
                path: paths.randomElement(using: &random) ?? paths[0], method: method, headers: headers, body: body)
        }
    }

    @Test func aThousandMalformedRequestsGetA4xxAndLeaveTheServerHealthy() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            _ = try await ServerFixture.acme(runtime)
            _ = try await runtime.administration.createScope(
                in: try await runtime.administration.tenant("acme"), name: "orders:read", description: nil,
                actor: "test")
            let created = try await runtime.administration.createClient(
                in: try await runtime.administration.tenant("acme"),
                .init(name: "Svc", grants: ["client_credentials"], scopes: ["orders:read"]),
                actor: "test")
            let clientID = created.client.id
            let secret = try #require(created.secret)
            let cases = Self.cases(count: 1_000, seed: 0x7E55_E7A, clientID: clientID, secret: secret)
            try await ServerFixture.withClient(runtime) { client in
                var statuses: [Int: Int] = [:]
                for (index, request) in cases.enumerated() {
                    let status = try await client.execute(
                        uri: request.path, method: request.method, headers: request.headers,
                        body: ByteBuffer(bytes: request.body)
                    ) { response in Int(response.status.code) }
                    statuses[status, default: 0] += 1
                    // A request that happens to be well-formed (good credentials, one grant_type) may
                    // succeed; nothing may be a server error.
                    #expect(
                        status < 500, "case \(index): \(request.method) \(request.path) \(request.headers) → \(status)")
                }
                #expect((statuses[200] ?? 0) < 200, "most cases must be refused: \(statuses)")
                let health = try await client.execute(uri: "/healthz", method: .get) { Int($0.status.code) }
                #expect(health == 200)
                let good = try await client.execute(
                    uri: "/t/acme/token", method: .post,
                    headers: [
                        .contentType: "application/x-www-form-urlencoded",
                        .authorization: "Basic " + Data("\(clientID):\(secret)".utf8).base64EncodedString(),
                    ],
                    body: ByteBuffer(string: "grant_type=client_credentials")
                ) { Int($0.status.code) }
                #expect(good == 200)
            }
        }
    }
}
