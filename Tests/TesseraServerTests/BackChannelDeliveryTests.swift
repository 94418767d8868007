import Foundation
import Synchronization
import TesseraCore
import TesseraServer
import TesseraTestSupport
import Testing

@testable import TesseraOAuth

/// The outbox worker against real sockets: a refused connection is a failed attempt, audited
/// and retried after a back-off; the last one gives up, audited too; the outbound policy keeps
/// loopback, private and link-local addresses out unless development allows loopback.
@Suite("Back-channel logout delivery")
struct BackChannelDeliveryTests {
    final class TestClock: Sendable {
        let now = Mutex(Date())
        func advance(_ seconds: TimeInterval) { now.withLock { $0 = $0.addingTimeInterval(seconds) } }
        var read: @Sendable () -> Date { { [self] in now.withLock { $0 } } }
    }

    static func sender(
        _ runtime: TesseraRuntime, allowLoopback: Bool, clock: TestClock, attempts: Int = 2
    ) -> BackChannelLogoutSender {
        BackChannelLogoutSender(
            store: runtime.store, tenants: runtime.tenants, publicURL: runtime.configuration.publicURL,
            policy: OutboundAddressPolicy(allowLoopback: allowLoopback),
            retries: .init(maximumAttempts: attempts, base: .seconds(2)), logger: TestDatabases.logger,
            clock: clock.read)
    }

    @Test func aTokenNobodyTakesIsRetriedThenGivenUpAndBothAreAudited() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let tenant = try await ServerFixture.acme(runtime)
            let clock = TestClock()
            // A port nothing listens on: the connection is refused.
            let uri = "http://127.0.0.1:\(try freeLoopbackPort())/backchannel"
            try await runtime.store.insertLogoutDelivery(
                LogoutDelivery(
                    tenantID: tenant.id, clientID: "web", uri: uri, sid: "s-1", subject: "u-1", createdAt: clock.read(),
                    nextAttemptAt: clock.read()))
            let sender = Self.sender(runtime, allowLoopback: true, clock: clock)
            let poster = LogoutTokenPoster(policy: sender.policy)
            #expect(try await sender.deliverDue(poster) == 1)
            let pending = try await runtime.store.logoutDeliveries(tenantID: tenant.id)
            #expect(pending.count == 1 && pending.first?.attempts == 1)
            #expect(pending.first?.lastError?.hasPrefix("no answer") == true)
            #expect(abs((pending.first?.nextAttemptAt ?? .distantPast).timeIntervalSince(clock.read()) - 2) < 0.01)
            // Not due yet; then due, and the second failure is the last.
            #expect(try await sender.deliverDue(poster) == 0)
            clock.advance(2.5)
            #expect(try await sender.deliverDue(poster) == 1)
            #expect(try await runtime.store.logoutDeliveries(tenantID: tenant.id).isEmpty)
            let audit = try await runtime.store.auditEvents(tenantID: tenant.id, after: nil, limit: 100)
                .filter { $0.target == "client:web" }
            #expect(audit.map(\.action) == [.backchannelLogoutFailure, .backchannelLogoutAbandoned])
            #expect(audit.first?.details.contains(uri) == true)
        }
    }

    @Test func loopbackIsContactedOnlyWhenDevelopmentAllowsIt() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let tenant = try await ServerFixture.acme(runtime)
            let clock = TestClock()
            try await runtime.store.insertLogoutDelivery(
                LogoutDelivery(
                    tenantID: tenant.id, clientID: "web", uri: "http://127.0.0.1:9/bcl", sid: "s-1", subject: "u-1",
                    createdAt: clock.read(), nextAttemptAt: clock.read()))
            let sender = Self.sender(runtime, allowLoopback: false, clock: clock, attempts: 5)
            #expect(try await sender.deliverDue(LogoutTokenPoster(policy: sender.policy)) == 1)
            let error = try await runtime.store.logoutDeliveries(tenantID: tenant.id).first?.lastError ?? ""
            #expect(error.contains("not contacted") && error.contains("https only"), "\(error)")
        }
    }

    @Test func privateLinkLocalAndReservedAddressesAreNeverContacted() async {
        let development = OutboundFetcher(policy: OutboundAddressPolicy(allowLoopback: true))
        let production = OutboundFetcher(policy: OutboundAddressPolicy(allowLoopback: false))
        func passes(_ fetcher: OutboundFetcher, _ url: String) async -> Bool {
            do throws(OutboundFailure) {
                try await fetcher.check(url)
                return true
            } catch {
                return false
            }
        }
        for host in [
            "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "[fe80::1]",
            "[fd00::1]", "224.0.0.1", "[::]",
        ] {
            #expect(await !passes(development, "https://\(host)/logout"), "\(host)")
        }
        #expect(await passes(development, "http://127.0.0.1:9/logout"))
        #expect(await passes(development, "http://[::1]:9/logout"))
        #expect(await !passes(production, "http://127.0.0.1:9/logout"))
        #expect(await !passes(production, "https://localhost/logout"), "a name that resolves to loopback")
        #expect(await passes(production, "https://93.184.215.14/logout"))
        #expect(await !passes(production, "https://no-such-host.invalid/logout"))
    }

    @Test func backOffDoublesUpToItsCap() {
        let retries = BackChannelLogoutSender.Retries(maximumAttempts: 8, base: .seconds(5), cap: .seconds(60))
        #expect((1...6).map { retries.delay(after: $0) } == [5, 10, 20, 40, 60, 60])
    }

    @Test func theLogoutTokensClaimsAreExactlyTheSpecs() throws {
        let claims = LogoutTokenClaims(
            iss: "https://id.example.com/t/acme", aud: "web", iat: 100, jti: "j", sub: "u", sid: "s")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(claims.compactJSON)) as? [String: Any])
        #expect(Set(object.keys) == ["iss", "aud", "iat", "exp", "jti", "sub", "sid", "events"])
        #expect(object["exp"] as? Int == 220)
        let events = try #require(object["events"] as? [String: Any])
        #expect(events.count == 1 && (events[LogoutTokenClaims.event] as? [String: Any])?.isEmpty == true)
    }
}
