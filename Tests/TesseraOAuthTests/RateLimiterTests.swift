import Foundation
import TesseraOAuth
import Testing

@Suite("Rate limiter")
struct RateLimiterTests {
    @Test func aBurstOfTheRateIsAdmittedThenRefused() async {
        let limiter = RateLimiter(shards: 2)
        let now = ContinuousClock.now
        for _ in 0..<5 { #expect(await limiter.admit("client-a", rate: 5, now: now) == nil) }
        let wait = await limiter.admit("client-a", rate: 5, now: now)
        #expect(wait != nil)
        #expect(wait.map { $0 <= .milliseconds(200) && $0 > .zero } == true)
        // Another key has its own bucket.
        #expect(await limiter.admit("client-b", rate: 5, now: now) == nil)
    }

    @Test func tokensRefillWithTime() async {
        let limiter = RateLimiter(shards: 1)
        let start = ContinuousClock.now
        for _ in 0..<2 { _ = await limiter.admit("k", rate: 2, now: start) }
        #expect(await limiter.admit("k", rate: 2, now: start) != nil)
        #expect(await limiter.admit("k", rate: 2, now: start + .milliseconds(600)) == nil)
    }

    @Test func aRateOfZeroMeansNoLimit() async {
        let limiter = RateLimiter()
        for _ in 0..<1_000 { #expect(await limiter.admit("k", rate: 0) == nil) }
    }

    @Test func memoryStaysBoundedUnderManyKeys() async {
        let limiter = RateLimiter(shards: 1, capacityPerShard: 100)
        let start = ContinuousClock.now
        for index in 0..<1_000 {
            #expect(await limiter.admit("address-\(index)", rate: 10, now: start + .seconds(index)) == nil)
        }
    }
}
