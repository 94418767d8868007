import Foundation
import TesseraCore
import Testing

@testable import TesseraOAuth

/// Gaps in the change feed (docs/bounded-storage.md): late commits are applied when they appear,
/// rolled-back numbers are given up after the grace, and only purged history means a reload.
@Suite("Change feed cursor")
struct ChangeFeedCursorTests {
    let tenant = UUID()
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func entries(_ sequences: Int...) -> [Change] {
        sequences.map { Change(sequence: $0, tenantID: tenant, kind: .client, subject: "c\($0)", changedAt: start) }
    }

    @Test func entriesInOrderAreTakenOnceEach() {
        var cursor = ChangeFeedCursor(position: 0)
        let firstRead = cursor.take(entries(1, 2, 3), now: start)
        #expect(firstRead.map(\.sequence) == [1, 2, 3])
        #expect(cursor.position == 3)
        #expect(cursor.missing.isEmpty)
        let reread = cursor.take(entries(2, 3), now: start)
        #expect(reread.isEmpty)
    }

    @Test func anEntryThatCommitsAfterALaterOneIsStillApplied() {
        var cursor = ChangeFeedCursor(position: 10)
        let firstRead = cursor.take(entries(11, 13), now: start)
        #expect(firstRead.map(\.sequence) == [11, 13])
        #expect(cursor.position == 11)
        #expect(cursor.newest == 13)
        #expect(cursor.missingSequences == [12])
        let lostEarly = cursor.settle(horizon: 0, now: start.addingTimeInterval(5))
        #expect(!lostEarly)
        let lateRead = cursor.take(entries(12), now: start.addingTimeInterval(6))
        #expect(lateRead.map(\.sequence) == [12])
        #expect(cursor.position == 13)
        let reread = cursor.take(entries(12), now: start.addingTimeInterval(7))
        #expect(reread.isEmpty)
    }

    @Test func aRolledBackNumberIsGivenUpAfterTheGraceWithoutAReload() {
        var cursor = ChangeFeedCursor(position: 0, grace: 30)
        _ = cursor.take(entries(1, 3), now: start)
        let lostWithinGrace = cursor.settle(horizon: 0, now: start.addingTimeInterval(29))
        #expect(!lostWithinGrace)
        #expect(cursor.missingSequences == [2])
        let lostAfterGrace = cursor.settle(horizon: 0, now: start.addingTimeInterval(31))
        #expect(!lostAfterGrace)
        #expect(cursor.missing.isEmpty)
        #expect(cursor.position == 3)
    }

    @Test func aGapTheHorizonCoversMeansAReload() {
        var cursor = ChangeFeedCursor(position: 5)
        _ = cursor.take(entries(9, 10), now: start)
        #expect(cursor.missingSequences == [6, 7, 8])
        let lost = cursor.settle(horizon: 8, now: start)
        #expect(lost)
        #expect(cursor.position == 10)
        #expect(cursor.missing.isEmpty)
    }

    @Test func aGapPartlyPurgedReloadsAndKeepsWatchingTheRest() {
        var cursor = ChangeFeedCursor(position: 5)
        _ = cursor.take(entries(7, 9), now: start)
        let lost = cursor.settle(horizon: 6, now: start)
        #expect(lost)
        #expect(cursor.missingSequences == [8])
        #expect(cursor.position == 7)
    }

    @Test func aGapTooWideToWatchMeansAReload() {
        var cursor = ChangeFeedCursor(position: 5)
        let read = cursor.take(entries(5_000), now: start)
        #expect(read.map(\.sequence) == [5_000])
        #expect(cursor.missing.isEmpty)
        #expect(cursor.overflowed)
        let lost = cursor.settle(horizon: 0, now: start)
        #expect(lost)
        #expect(!cursor.overflowed)
        #expect(cursor.position == 5_000)
    }

    @Test func entriesAtOrBeforeThePositionAreNotTaken() {
        var cursor = ChangeFeedCursor(position: 20)
        let read = cursor.take(entries(3, 20), now: start)
        #expect(read.isEmpty)
        #expect(cursor.position == 20)
    }
}
