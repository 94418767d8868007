import Foundation
import Logging
import TesseraCore
import TesseraStore

/// Notes when a self-registered client was last given a token, so that the purge can delete
/// the ones left unused for the tenant's `registration_unused_ttl`. At most one write per client
/// per day and instance, outside the grant's transaction: what an administrator made is never
/// written, and the token paths keep their round trips.
public actor ClientUseRecorder {
    let store: any Store
    let logger: Logger
    private var recorded: [String: Date] = [:]
    /// How fresh `last_used_at` is kept: far finer than any unused period (an hour at least).
    static let resolution: TimeInterval = 86_400

    public init(store: any Store, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    public func used(_ client: Client, at now: Date = Date()) async {
        guard client.origin != .admin else { return }
        let key = "\(client.tenantID)|\(client.id)"
        let last = recorded[key] ?? client.lastUsedAt ?? .distantPast
        guard now.timeIntervalSince(last) >= Self.resolution else { return }
        recorded[key] = now
        if recorded.count > 100_000 { recorded.removeAll(keepingCapacity: true) }
        do {
            try await store.recordClientUse(tenantID: client.tenantID, id: client.id, at: now)
        } catch {
            recorded[key] = nil
            logger.warning("Recording a registered client's use failed", metadata: ["error": "\(error)"])
        }
    }
}
