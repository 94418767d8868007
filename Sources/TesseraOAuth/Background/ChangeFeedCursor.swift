import Foundation
import TesseraCore

/// Which entries of the change feed this instance has applied (docs/bounded-storage.md).
///
/// A sequence number is handed out when a transaction writes its entry, not when it commits, so
/// the feed does not fill in order: an entry can appear after later ones (its transaction
/// committed later) or never (its transaction rolled back). A gap is therefore not lost history.
/// The cursor remembers each missing number and looks again until it appears, until the gap is
/// older than `grace` (a rolled-back transaction; feed entries are written at the end of short
/// transactions), or until the feed's horizon says it was purged, which alone means this
/// instance cannot know what it missed and must reload its caches.
struct ChangeFeedCursor: Sendable {
    /// Every entry up to here is applied or given up on.
    private(set) var position: Int
    /// The newest entry taken: reads for new entries start after it.
    private(set) var newest: Int
    /// Numbers between `position` and `newest` not seen yet, and when each was first missed.
    private(set) var missing: [Int: Date] = [:]
    /// A gap too wide to look at number by number: only a reload can close it.
    private(set) var overflowed = false
    let grace: TimeInterval
    /// More missing numbers than this at once are treated as lost history.
    static let maximumMissing = 1_000

    init(position: Int, grace: TimeInterval = 30) {
        self.position = position
        self.newest = position
        self.grace = grace
    }

    /// Takes entries read from the feed; returns, in order, those not taken before.
    mutating func take(_ changes: [Change], now: Date) -> [Change] {
        var fresh: [Change] = []
        for change in changes.sorted(by: { $0.sequence < $1.sequence }) {
            let sequence = change.sequence
            guard sequence > position else { continue }
            if sequence > newest {
                let gap = sequence - newest - 1
                if gap > Self.maximumMissing {
                    overflowed = true
                } else if gap > 0 {
                    for number in (newest + 1)..<sequence { missing[number] = now }
                }
                newest = sequence
                fresh.append(change)
            } else if missing.removeValue(forKey: sequence) != nil {
                fresh.append(change)
            }
        }
        advance()
        return fresh
    }

    /// Settles the gaps against the feed's horizon: numbers it covers were purged (true: reload
    /// the caches); others older than `grace` belonged to transactions that rolled back.
    mutating func settle(horizon: Int, now: Date) -> Bool {
        let purged = missing.keys.contains { $0 <= horizon }
        let lost = overflowed || purged
        overflowed = false
        missing = missing.filter { number, since in number > horizon && now.timeIntervalSince(since) < grace }
        advance()
        return lost
    }

    /// The numbers to look for again, oldest first.
    var missingSequences: [Int] { missing.keys.sorted() }

    private mutating func advance() {
        position = (missing.keys.min() ?? newest + 1) - 1
    }
}
