import Foundation
import Logging
import ServiceLifecycle

/// Runs the key schedule (publish, rotate, retire) every `interval` on whichever instance gets
/// the job's advisory lock; the others skip that round.
public struct KeyRotationScheduler: Service {
    let keys: KeyManagement
    let interval: Duration
    let logger: Logger

    public init(keys: KeyManagement, interval: Duration, logger: Logger) {
        self.keys = keys
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await runPeriodically(every: interval, logger: logger, job: "Key schedule") { [keys, logger] in
            if let changed = try await keys.runSchedule(), !changed.isEmpty {
                logger.info("Key schedule changed tenants' keys", metadata: ["tenants": "\(changed.count)"])
            }
        }
    }
}
