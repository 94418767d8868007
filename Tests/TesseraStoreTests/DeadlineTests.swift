import Dispatch
import Foundation
import Testing

@testable import TesseraStore

/// `withDeadline` answers on time even when what it waits for does not end on cancellation
/// (a query the driver dropped when its connection closed). No timing is asserted: the body
/// sleeps a minute deaf to cancellation, and the answer must come while it still sleeps.
@Suite("Deadline")
struct DeadlineTests {
    /// Set when a deaf sleep has ended.
    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var raised = false
        func raise() { lock.withLock { raised = true } }
        var isRaised: Bool { lock.withLock { raised } }
    }

    /// Sleeps on a dispatch timer, deaf to task cancellation, then raises `done`.
    static func deafSleep(seconds: Double, done: Flag) async {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
                done.raise()
                continuation.resume()
            }
        }
    }

    @Test func theBodysAnswerComesThroughWithinTheDeadline() async throws {
        #expect(try await withDeadline(.seconds(5)) { 42 } == 42)
        await #expect(throws: StoreError.conflict("taken")) {
            try await withDeadline(.seconds(5)) { () async throws -> Int in throw StoreError.conflict("taken") }
        }
    }

    @Test func aBodyDeafToCancellationIsLeftBehindAtTheDeadline() async throws {
        let done = Flag()
        await #expect(throws: StoreError.self) {
            try await withDeadline(.milliseconds(200)) {
                await Self.deafSleep(seconds: 60, done: done)
                return 1
            }
        }
        #expect(!done.isRaised)
    }

    /// `run` around a body deaf to cancellation, cancelled while the body sleeps: answered then.
    static func expectCancelledAtOnce(
        _ run: @escaping @Sendable (@escaping @Sendable () async throws -> Int) async throws -> Int
    ) async throws {
        let done = Flag()
        let call = Task {
            try await run {
                await Self.deafSleep(seconds: 60, done: done)
                return 1
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
        #expect(!done.isRaised)
    }

    @Test func cancellingTheCallerAnswersAtOnce() async throws {
        try await Self.expectCancelledAtOnce { try await withDeadline(.seconds(120), $0) }
    }

    @Test func aCallerCancelledBeforeItStartsIsAnsweredToo() async throws {
        let call = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await withDeadline(.seconds(30)) { 1 }
        }
        await #expect(throws: CancellationError.self) { try await call.value }
    }

    /// The LISTEN connection's form: no deadline, but a cancelled caller (a shutdown) answered
    /// at once while the body is still deaf to it.
    @Test func withoutADeadlineTheBodysAnswerComesAndACancelledCallerIsAnsweredAtOnce() async throws {
        #expect(try await withAbandonOnCancel { 7 } == 7)
        try await Self.expectCancelledAtOnce { try await withAbandonOnCancel($0) }
    }
}
