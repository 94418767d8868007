import Foundation
import TesseraCore
import TesseraJOSE
import TesseraOAuth
import TesseraStore
import TesseraTestSupport
import Testing

/// Several instances on one database (DESIGN.md, Signing keys and rotation: "one instance
/// rotates (advisory lock)"): two stores opened on the same database stand for two instances.
@Suite("Key schedule across instances")
struct ScheduleExclusionTests {
    /// Runs `body` with a runtime and a second, independent store on the same fresh database.
    static func withTwoInstances(
        _ backend: TestBackend, _ body: (ProtocolRuntime, any Store) async throws -> Void
    ) async throws {
        let url = try await TestDatabases.freshURL(backend)
        try await ProtocolFixture.withRuntime(url: url, masterKey: MasterKey.generate()) { runtime in
            let other = try await DatabaseURL(url).open(logger: TestDatabases.logger)
            do {
                try await body(runtime, other)
                await other.close()
            } catch {
                await other.close()
                throw error
            }
        }
    }

    @Test func whileOneInstanceHoldsTheScheduleLockTheOtherSkipsItsRound() async throws {
        try await Self.withTwoInstances(.postgres) { runtime, other in
            let otherKeys = KeyManagement(store: other, masterKey: runtime.masterKey)
            let store = runtime.store
            let (locked, lockedContinuation) = AsyncStream.makeStream(of: Void.self)
            let (release, releaseContinuation) = AsyncStream.makeStream(of: Void.self)
            let holder = Task {
                defer { lockedContinuation.finish() }
                return try await store.transactionIfLockFree(job: .keyRotation) { _ in
                    lockedContinuation.yield()
                    for await _ in release { break }
                    return true
                }
            }
            var lockedSignal = locked.makeAsyncIterator()
            try #require(await lockedSignal.next() != nil, "the first instance did not get the free lock")

            #expect(try await otherKeys.runSchedule() == nil)
            // Another connection of the holder's own pool is another session: locked out too.
            #expect(try await KeyManagement(store: store, masterKey: runtime.masterKey).runSchedule() == nil)

            releaseContinuation.finish()
            #expect(try await holder.value == true)
            // Released at commit: the next round runs.
            #expect(try await otherKeys.runSchedule() == [])
        }
    }

    @Test func aDueRotationHappensOnceWhenEveryInstanceRunsTheScheduleAtOnce() async throws {
        try await Self.withTwoInstances(.postgres) { runtime, other in
            _ = try await ProtocolFixture.acme(runtime)
            let tenant = try await runtime.administration.updateSettings(
                of: try await runtime.administration.tenant("acme"),
                [.keyPublishAhead: 30, .keyRotationPeriod: 600], actor: "test")
            let start = try #require(
                try await runtime.store.signingKeys(tenantID: tenant.id).only(.current).activatedAt)
            let clock = ManualClock(start + 601)
            let instances = (0..<6).map { index in
                KeyManagement(
                    store: index.isMultiple(of: 2) ? runtime.store : other, masterKey: runtime.masterKey,
                    clock: clock.function)
            }
            let outcomes = try await withThrowingTaskGroup(of: [UUID]?.self) { group in
                for instance in instances { group.addTask { try await instance.runSchedule() } }
                var outcomes: [[UUID]?] = []
                for try await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
            #expect(outcomes.filter { $0 == [tenant.id] }.count == 1, "\(outcomes)")
            let records = try await runtime.store.signingKeys(tenantID: tenant.id)
            #expect(records.count == 3)
            _ = try records.only(.current)
            _ = try records.only(.next)
            _ = try records.only(.previous)
        }
    }

    @Test(arguments: TestBackend.allCases)
    func concurrentRotationsOfOneTenantLeaveExactlyOneCurrentAndOneNextKey(backend: TestBackend) async throws {
        try await Self.withTwoInstances(backend) { runtime, other in
            let tenant = try await ProtocolFixture.acme(runtime)
            let instances = [
                KeyManagement(store: runtime.store, masterKey: runtime.masterKey),
                KeyManagement(store: other, masterKey: runtime.masterKey),
            ]
            var rotations = 0
            for round in 0..<5 {
                let results = await withTaskGroup(of: Result<Void, any Error>.self) { group in
                    for instance in instances {
                        group.addTask {
                            do {
                                try await instance.rotate(tenant, actor: "test")
                                return .success(())
                            } catch {
                                return .failure(error)
                            }
                        }
                    }
                    var results: [Result<Void, any Error>] = []
                    for await result in group { results.append(result) }
                    return results
                }
                var succeeded = 0
                for result in results {
                    switch result {
                    case .success: succeeded += 1
                    case .failure(let error):
                        guard case StoreError.conflict = error else {
                            Issue.record("round \(round): a losing rotation failed with \(error), not a conflict")
                            continue
                        }
                    }
                }
                #expect(succeeded >= 1, "round \(round): neither rotation went through")
                rotations += succeeded

                let records = try await runtime.store.signingKeys(tenantID: tenant.id)
                _ = try records.only(.current)
                _ = try records.only(.next)
                #expect(records.count == 2 + rotations, "round \(round)")
                #expect(records.kids(.previous).count == rotations, "round \(round)")
                // And it loads: an instance restarting now can sign.
                let keys = try await TenantKeys.load(tenant, from: other, masterKey: runtime.masterKey)
                #expect(try keys.current?.kid == records.only(.current).kid)
            }
        }
    }
}
