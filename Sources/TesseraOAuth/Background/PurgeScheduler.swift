import Foundation
import Logging
import ServiceLifecycle
import TesseraStore

/// Keeps tables of short-lived records (revoked token ids, client-assertion ids, codes, refresh
/// tokens) holding only live rows: every `interval`, on whichever instance gets the job's lock,
/// expired rows go in small batches. The change feed keeps a day of history for instances that
/// were briefly away.
public struct PurgeScheduler: Service {
    let store: any Store
    let interval: Duration
    let logger: Logger
    static let batch = 1_000
    static let changeHistory: TimeInterval = 86_400

    public init(store: any Store, interval: Duration, logger: Logger) {
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await runPeriodically(every: interval, logger: logger, job: "Purge") { try await purgeOnce() }
    }

    func purgeOnce(now: Date = Date()) async throws {
        var total = 0
        while !Task.isCancelled {
            let removed = try await store.transactionIfLockFree(job: .purge) { operations in
                try await operations.purgeExpired(before: now, batch: Self.batch)
            }
            guard let removed else { return }  // another instance is purging
            total += removed
            if removed < Self.batch { break }
        }
        try await store.purgeChanges(before: now.addingTimeInterval(-Self.changeHistory))
        if total > 0 { logger.info("Purged expired rows", metadata: ["rows": "\(total)"]) }
    }
}
