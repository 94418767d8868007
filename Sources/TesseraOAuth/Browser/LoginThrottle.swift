import Foundation

/// Backs off failed logins per user and per address: after a few free attempts each failure
/// doubles the wait, up to a cap, so guessing a password online is too slow to matter while a
/// user who mistyped waits seconds. Kept per instance, in memory, bounded; a success clears the
/// user's count.
public actor LoginThrottle {
    struct Record {
        var failures: Int
        var blockedUntil: Date
        var lastFailure: Date
    }

    public static let freeAttempts = 5
    public static let maximumDelay: TimeInterval = 15 * 60
    let capacity: Int
    private var records: [String: Record] = [:]

    public init(capacity: Int = 100_000) { self.capacity = capacity }

    /// Seconds to wait before `keys` may try again, or nil when they may try now.
    public func wait(for keys: [String], now: Date = Date()) -> Int? {
        let until = keys.compactMap { records[$0]?.blockedUntil }.max() ?? .distantPast
        guard until > now else { return nil }
        return max(1, Int(until.timeIntervalSince(now).rounded(.up)))
    }

    /// Records a failure for each key; returns true when one of them is now locked out.
    @discardableResult
    public func recordFailure(for keys: [String], now: Date = Date()) -> Bool {
        if records.count >= capacity { forgetStale(now: now) }
        var lockedOut = false
        for key in keys {
            var record = records[key] ?? Record(failures: 0, blockedUntil: .distantPast, lastFailure: now)
            // A quiet quarter of an hour forgives earlier failures.
            if now.timeIntervalSince(record.lastFailure) > Self.maximumDelay { record.failures = 0 }
            record.failures += 1
            record.lastFailure = now
            if record.failures >= Self.freeAttempts {
                // 2 s after the last free attempt, then 4, 8, … up to the cap.
                let delay = min(Self.maximumDelay, pow(2, Double(record.failures - Self.freeAttempts + 1)))
                record.blockedUntil = now.addingTimeInterval(delay)
                lockedOut = true
            }
            records[key] = record
        }
        return lockedOut
    }

    public func recordSuccess(for key: String) { records[key] = nil }

    private func forgetStale(now: Date) {
        records = records.filter { now.timeIntervalSince($0.value.lastFailure) < Self.maximumDelay }
        if records.count >= capacity { records.removeAll() }
    }
}
