import Foundation
import Testing

@testable import TesseraOAuth

@Suite("Login back-off")
struct LoginThrottleTests {
    @Test func theFreeAttemptsCostNothingThenEachFailureDoublesTheWaitUpToTheCap() {
        for failures in 0..<LoginThrottle.freeAttempts { #expect(LoginThrottle.delay(afterFailures: failures) == nil) }
        #expect(LoginThrottle.delay(afterFailures: 5) == 2)
        #expect(LoginThrottle.delay(afterFailures: 6) == 4)
        #expect(LoginThrottle.delay(afterFailures: 9) == 32)
        #expect(LoginThrottle.delay(afterFailures: 14) == LoginThrottle.maximumDelay)
        #expect(LoginThrottle.delay(afterFailures: Int.max) == LoginThrottle.maximumDelay)
    }
}
