import Dispatch
import Foundation
import Testing

@testable import TesseraStore

/// `withDeadline` answers on time even when what it waits for does not end on cancellation
/// (a query the driver dropped when its connection closed).
@Suite("Deadline")
struct DeadlineTests {
    /// Sleeps on a dispatch timer, deaf to task cancellation.
    static func deafSleep(seconds: Double) async {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { continuation.resume() }
        }
    }

    @Test func theBodysAnswerComesThroughWithinTheDeadline() async throws {
        #expect(try await withDeadline(.seconds(5)) { 42 } == 42)
        await #expect(throws: StoreError.conflict("taken")) {
            try await withDeadline(.seconds(5)) { () async throws -> Int in throw StoreError.conflict("taken") }
        }
    }

    @Test func aBodyDeafToCancellationIsLeftBehindAtTheDeadline() async throws {
        let started = ContinuousClock.now
        await #expect(throws: StoreError.self) {
            try await withDeadline(.milliseconds(200)) {
                await Self.deafSleep(seconds: 3)
                return 1
            }
        }
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test func cancellingTheCallerAnswersAtOnce() async throws {
        let started = ContinuousClock.now
        let call = Task {
            try await withDeadline(.seconds(30)) {
                await Self.deafSleep(seconds: 3)
                return 1
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test func aCallerCancelledBeforeItStartsIsAnsweredToo() async throws {
        let call = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await withDeadline(.seconds(30)) { 1 }
        }
        await #expect(throws: CancellationError.self) { try await call.value }
    }
}
