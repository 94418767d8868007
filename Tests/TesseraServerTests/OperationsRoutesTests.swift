import Foundation
import HTTPTypes
import HummingbirdTesting
import TesseraOAuth
import TesseraServer
import TesseraTestSupport
import Testing

/// `/healthz`, `/readyz`, `/metrics` and the request id every answer carries (INTERFACE.md, HTTP:
/// Operations).
@Suite("Operations endpoints")
struct OperationsRoutesTests {
    static let requestIDAlphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")

    @Test func healthzAnswersOKWithoutTouchingTheDatabase() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            try await ServerFixture.withClient(runtime) { client in
                let response = try await client.execute(uri: "/healthz", method: .get)
                #expect(response.status == .ok)
                #expect(try response.jsonObject()["status"] as? String == "ok")
                #expect(response.headers[.cacheControl] == "no-store")
                #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            }
        }
    }

    @Test func aSaneRequestIDFromTheCallerIsEchoed() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            try await ServerFixture.withClient(runtime) { client in
                let id = "gateway-7f3a.b_9"
                let response = try await client.execute(
                    uri: "/healthz", method: .get, headers: [HTTPField.Name("X-Request-Id")!: id])
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("X-Request-Id")!] == id)
            }
        }
    }

    @Test(arguments: [
        String(repeating: "a", count: 300),
        "two words",
        "id;drop",
        "<script>",
        "ünïcode",
    ])
    func aGarbageRequestIDIsReplacedWithAFreshOne(sent: String) async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            try await ServerFixture.withClient(runtime) { client in
                let response = try await client.execute(
                    uri: "/healthz", method: .get, headers: [HTTPField.Name("X-Request-Id")!: sent])
                let echoed = try #require(response.headers[HTTPField.Name("X-Request-Id")!])
                #expect(echoed != sent)
                #expect((1...128).contains(echoed.count))
                #expect(echoed.allSatisfy(Self.requestIDAlphabet.contains))
            }
        }
    }

    @Test func everyAnswerWithoutARequestIDGetsADifferentOne() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            try await ServerFixture.withClient(runtime) { client in
                let first = try await client.execute(uri: "/healthz", method: .get)
                let second = try await client.execute(uri: "/healthz", method: .get)
                let firstID = try #require(first.headers[HTTPField.Name("X-Request-Id")!])
                let secondID = try #require(second.headers[HTTPField.Name("X-Request-Id")!])
                #expect(!firstID.isEmpty)
                #expect(firstID != secondID)
            }
        }
    }

    @Test(arguments: ["/t/nobody/jwks.json", "/t/Bad_Slug/.well-known/openid-configuration"])
    func errorAnswersCarryTheRequestIDAndSecurityHeadersToo(path: String) async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            try await ServerFixture.withClient(runtime) { client in
                let id = "trace-404"
                let response = try await client.execute(
                    uri: path, method: .get, headers: [HTTPField.Name("X-Request-Id")!: id])
                #expect(response.status == .notFound)
                #expect(response.headers[HTTPField.Name("X-Request-Id")!] == id)
                #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
            }
        }
    }

    @Test(arguments: TestBackend.allCases)
    func readyzAnswersOKWhenTheDatabaseAnswers(backend: TestBackend) async throws {
        try await ServerFixture.withRuntime(backend) { runtime in
            try await ServerFixture.withClient(runtime) { client in
                let response = try await client.execute(uri: "/readyz", method: .get)
                #expect(response.status == .ok)
                let body = try response.jsonObject()
                #expect(body["status"] as? String == "ready")
                #expect(body["database"] as? String == "ok")
                #expect(body["stateless"] as? String == "serving")
                #expect(body["stateful"] as? String == "serving")
            }
        }
    }

    /// docs/rolling-restarts.md: ready only once the change feed was caught up once after the
    /// caches were loaded, and no longer once shutdown began; then answers say `Connection: close`.
    @Test func readyzSaysStartingUntilTheFeedWasCaughtUpAndDrainingOnceShutdownBegan() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let application = buildApplication(runtime: runtime)
            try await application.test(.router) { client in
                let starting = try await client.execute(uri: "/readyz", method: .get)
                #expect(starting.status == .serviceUnavailable)
                #expect(try starting.jsonObject()["phase"] as? String == "starting")
                #expect(starting.headers[.connection] == nil)
            }
            let follower = try #require(runtime.backgroundServices.compactMap { $0 as? ChangeFollower }.first)
            let following = Task { try await follower.run() }
            let deadline = ContinuousClock.now + .seconds(10)
            while await runtime.serving.current == .starting, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            following.cancel()
            _ = await following.result
            try await application.test(.router) { client in
                let ready = try await client.execute(uri: "/readyz", method: .get)
                #expect(ready.status == .ok)
                #expect(try ready.jsonObject()["status"] as? String == "ready")
            }
            runtime.connections.begin()
            await runtime.serving.markDraining()
            try await application.test(.router) { client in
                let draining = try await client.execute(uri: "/readyz", method: .get)
                #expect(draining.status == .serviceUnavailable)
                #expect(try draining.jsonObject()["phase"] as? String == "draining")
                #expect(draining.headers[.connection] == "close")
                let other = try await client.execute(uri: "/healthz", method: .get)
                #expect(other.status == .ok)
                #expect(other.headers[.connection] == "close")
            }
        }
    }

    @Test func metricsAreInPrometheusTextFormat() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            try await ServerFixture.withClient(runtime) { client in
                // A request first, so the request metrics have samples.
                _ = try await client.execute(uri: "/healthz", method: .get)
                let response = try await client.execute(uri: "/metrics", method: .get)
                #expect(response.status == .ok)
                let contentType = try #require(response.headers[.contentType])
                #expect(contentType.hasPrefix("text/plain; version=0.0.4"))

                let lines = response.text.split(separator: "\n").map(String.init)
                let samples = lines.filter { !$0.hasPrefix("#") }
                #expect(lines.contains { $0.hasPrefix("# TYPE ") })
                #expect(!samples.isEmpty)
                // Exposition format 0.0.4: `name{label="value",...} value [timestamp]`; label values
                // are quoted and may hold anything escaped (route templates hold braces).
                let sample =
                    /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? [-+]?([0-9.eE+-]+|NaN|Inf)( -?[0-9]+)?$/
                for line in samples {
                    #expect(line.wholeMatch(of: sample) != nil, "not a Prometheus sample line: \(line)")
                }
                for line in lines where line.hasPrefix("# TYPE ") {
                    let kind = line.split(separator: " ").last.map(String.init)
                    #expect(["counter", "gauge", "histogram", "summary", "untyped"].contains(kind ?? ""), "\(line)")
                }
            }
        }
    }
}
