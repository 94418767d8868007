import Foundation
import TesseraStore
import TesseraTestSupport
import Testing

/// A store opened on a host list finds the host that accepts writes (docs/database-failover.md),
/// on the suite's PostgreSQL server with a dead loopback port beside it.
@Suite("Store on a host list")
struct HostListStoreTests {
    /// `url` with `hosts` in place of its one host, and `query` appended.
    func hostList(_ url: String, hosts: (String) -> String, query: String) throws -> String {
        guard let components = URLComponents(string: url), let host = components.host, let port = components.port
        else { throw TestSetupError("bad URL \(url)") }
        let user = components.user.map { "\($0)@" } ?? ""
        return "postgres://\(user)\(hosts("\(host):\(port)"))\(components.path)?\(query)"
    }

    @Test func theFirstHostThatAcceptsWritesIsUsedWhateverItsPlaceInTheList() async throws {
        let dead = try freeLoopbackPort()
        let url = try hostList(
            try await TestDatabases.freshURL(.postgres), hosts: { "127.0.0.1:\(dead),\($0)" },
            query: "target_session_attrs=read-write")
        let store = try await DatabaseURL(url).open(logger: TestDatabases.logger)
        defer { Task { await store.close() } }
        #expect(try await store.migrate().isEmpty == false)
        try await store.checkHealth(timeout: .seconds(2))
        #expect(try await store.latestChangeSequence() >= 0)
        await store.close()
    }

    @Test(arguments: ["primary", "any"])
    func everyWritableTargetFindsTheServer(target: String) async throws {
        let dead = try freeLoopbackPort()
        let url = try hostList(
            try await TestDatabases.freshURL(.postgres), hosts: { "\($0),127.0.0.1:\(dead)" },
            query: "target_session_attrs=\(target)")
        let store = try await DatabaseURL(url).open(logger: TestDatabases.logger)
        #expect(try await store.migrate().isEmpty == false)
        await store.close()
    }

    @Test func withNoHostAcceptingWritesOperationsFailAtOnceAsUnavailable() async throws {
        let url =
            "postgres://postgres@127.0.0.1:\(try freeLoopbackPort()),127.0.0.1:\(try freeLoopbackPort())/x?target_session_attrs=read-write"
        let store = try await DatabaseURL(url).open(logger: TestDatabases.logger)
        let started = ContinuousClock.now
        await #expect {
            _ = try await store.migrate()
        } throws: { error in
            guard case StoreError.unavailable = error else { return false }
            return true
        }
        #expect(started.duration(to: .now) < .seconds(2), "a request must not queue for a dead host")
        await store.close()
    }
}
