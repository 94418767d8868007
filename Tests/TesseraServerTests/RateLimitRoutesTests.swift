import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TesseraOAuth
import TesseraServer
import Testing

@Suite("Rate limits at the token endpoint")
struct TokenEndpointRateLimitTests {
    @Test func anAddressOverItsTenantsLimitGets429WithRetryAfter() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            var tenant = try await ServerFixture.acme(runtime)
            tenant = try await runtime.administration.updateSettings(
                of: try await runtime.administration.tenant("acme"), [.rateLimitPerAddress: 1],
                actor: "test")
            #expect(tenant.settings.rateLimitPerAddress == 1)
            try await buildApplication(runtime: runtime).test(.live) { client in
                var statuses: [Int] = []
                var retryAfter: String?
                for _ in 0..<10 {
                    try await client.execute(
                        uri: "/t/acme/token", method: .post,
                        headers: [.contentType: "application/x-www-form-urlencoded"],
                        body: ByteBuffer(string: "grant_type=client_credentials&client_id=nobody")
                    ) { response in
                        statuses.append(Int(response.status.code))
                        if response.status == .tooManyRequests { retryAfter = response.headers[.retryAfter] }
                    }
                }
                // The first request spends the one-request burst; the bucket refills one per second,
                // so back-to-back requests are refused (a loaded machine may let one more through).
                #expect(statuses.first == 401)
                #expect(statuses.filter { $0 == 429 }.count >= 1, "\(statuses)")
                #expect(Set(statuses).isSubset(of: [401, 429]))
                #expect(retryAfter == "1")
            }
        }
    }
}

@Suite("Per-client rate limits")
struct ClientRateLimitTests {
    @Test func aClientOverItsBudgetGets429AndOthersAreUnaffected() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            _ = try await ServerFixture.acme(runtime)
            _ = try await runtime.administration.updateSettings(
                of: try await runtime.administration.tenant("acme"),
                [.rateLimitPerClient: 2, .rateLimitPerAddress: 0], actor: "test")
            var credentials: [String] = []
            for name in ["busy", "quiet"] {
                let created = try await runtime.administration.createClient(
                    in: try await runtime.administration.tenant("acme"),
                    .init(name: name, grants: ["client_credentials"]), actor: "test")
                credentials.append(
                    "Basic " + Data("\(created.client.id):\(created.secret ?? "")".utf8).base64EncodedString())
            }
            let authorizations = credentials
            try await ServerFixture.withClient(runtime) { client in
                func request(_ authorization: String) async throws -> (Int, String?) {
                    try await client.execute(
                        uri: "/t/acme/token", method: .post,
                        headers: [.contentType: "application/x-www-form-urlencoded", .authorization: authorization],
                        body: ByteBuffer(string: "grant_type=client_credentials")
                    ) { (Int($0.status.code), $0.headers[.retryAfter]) }
                }
                #expect(try await request(authorizations[0]).0 == 200)
                #expect(try await request(authorizations[0]).0 == 200)
                let refused = try await request(authorizations[0])
                #expect(refused.0 == 429)
                #expect(refused.1 == "1")
                #expect(try await request(authorizations[1]).0 == 200)
            }
        }
    }
}
