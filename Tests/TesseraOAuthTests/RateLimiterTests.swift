import Foundation
import Testing

@testable import TesseraOAuth

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

    @Test func eachOfNInstancesKeepsAnNthOfTheBudget() async {
        let limiter = RateLimiter(shards: 1)
        limiter.cluster.update(instanceCount: 3)
        let start = ContinuousClock.now
        // A burst of 9/3 = 3 here, then 3 a second: over ten seconds 3 + 30, a third of 9/s.
        var admitted = 0
        for step in 0..<1_000 {
            if await limiter.admit("k", rate: 9, now: start + .milliseconds(step * 10)) == nil { admitted += 1 }
        }
        #expect((32...33).contains(admitted), "\(admitted)")
        // An instance leaving gives the others its share at once.
        limiter.cluster.update(instanceCount: 1)
        var afterwards = 0
        for step in 0..<100 {
            if await limiter.admit("k", rate: 9, now: start + .seconds(10) + .milliseconds(step * 10)) == nil {
                afterwards += 1
            }
        }
        #expect((9...10).contains(afterwards), "\(afterwards)")
    }

    @Test func aShareBelowOneRequestASecondStillAdmitsAtItsPace() async {
        let limiter = RateLimiter(shards: 1)
        limiter.cluster.update(instanceCount: 4)
        let start = ContinuousClock.now
        #expect(await limiter.admit("k", rate: 1, now: start) == nil)
        let wait = await limiter.admit("k", rate: 1, now: start + .seconds(1))
        #expect(wait == .seconds(3), "a quarter request a second: the next one after 4 s")
        #expect(await limiter.admit("k", rate: 1, now: start + .seconds(4)) == nil)
    }

    @Test func anInstanceCountIsAtLeastOne() {
        let share = ClusterShare()
        share.update(instanceCount: 0)
        #expect(share.instanceCount == 1)
    }
}
