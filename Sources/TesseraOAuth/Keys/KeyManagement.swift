import Foundation
import TesseraCore
import TesseraJOSE
import TesseraStore

/// Applies the key lifecycle (`KeyLifecycle`'s plans) to the database: each plan in one
/// transaction with its audit event and a change-feed entry, so every instance reloads the
/// tenant's keys within a second.
public struct KeyManagement: Sendable {
    let store: any Store
    let masterKey: MasterKey
    let clock: @Sendable () -> Date

    public init(store: any Store, masterKey: MasterKey, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.masterKey = masterKey
        self.clock = clock
    }

    public func keys(of tenant: Tenant) async throws -> [SigningKeyRecord] {
        try await store.signingKeys(tenantID: tenant.id)
    }

    /// Rotates now: `next` starts signing, `current` becomes `previous`, a new `next` is published.
    @discardableResult
    public func rotate(
        _ tenant: Tenant, algorithm: SigningAlgorithm? = nil, actor: String, requestID: String? = nil
    )
        async throws -> [SigningKeyRecord]
    {
        let algorithm = algorithm ?? tenant.settings.keyAlgorithm
        guard algorithm.isPublishable || algorithm == .hs256 else { throw ValidationError(field: "alg", "unsupported") }
        let now = clock()
        let records = try await store.signingKeys(tenantID: tenant.id)
        let plan = try KeyLifecycle.rotate(
            records: records, tenantID: tenant.id, algorithm: algorithm, now: now,
            longestTokenLifetime: RotationPolicy(settings: tenant.settings).longestTokenLifetime, masterKey: masterKey)
        try await apply(plan, tenant: tenant, action: .keyRotate, actor: actor, requestID: requestID, now: now)
        return try await store.signingKeys(tenantID: tenant.id)
    }

    /// Revokes a key at once: it leaves the JWKS and nothing it signed verifies any more.
    public func revoke(_ tenant: Tenant, kid: String, actor: String, requestID: String? = nil) async throws {
        let now = clock()
        let records = try await store.signingKeys(tenantID: tenant.id)
        guard records.contains(where: { $0.kid == kid }) else {
            throw ValidationError(field: "kid", "tenant '\(tenant.slug)' has no key '\(kid)'")
        }
        let plan = try KeyLifecycle.revoke(
            kid: kid, records: records, tenantID: tenant.id, algorithm: tenant.settings.keyAlgorithm, now: now,
            masterKey: masterKey)
        try await apply(
            plan, tenant: tenant, action: .keyRevoke, actor: actor, requestID: requestID, now: now, target: kid)
    }

    /// The scheduled work for every tenant: publish a missing `next`, rotate when due, retire
    /// `previous` keys whose tokens have all expired. Runs on one instance at a time; returns the
    /// tenants it changed, or nil when another instance holds the job.
    public func runSchedule() async throws -> [UUID]? {
        let now = clock()
        return try await store.transactionIfLockFree(job: .keyRotation) { operations in
            var changed: [UUID] = []
            var cursor: TenantSlug?
            while true {
                let tenants = try await operations.tenants(after: cursor, limit: 200)
                let active = tenants.filter { $0.status == .active }
                // One query per page, not per tenant: with 10,000 tenants the per-tenant reads
                // were 10,000 queries a minute beside the serving traffic.
                let keysByTenant = Dictionary(
                    grouping: try await operations.signingKeys(tenantIDs: active.map(\.id)), by: \.tenantID)
                for tenant in active {
                    let records = keysByTenant[tenant.id] ?? []
                    let plan = try KeyLifecycle.scheduled(
                        records: records, tenantID: tenant.id, algorithm: tenant.settings.keyAlgorithm, now: now,
                        policy: RotationPolicy(settings: tenant.settings), masterKey: masterKey)
                    guard !plan.isEmpty else { continue }
                    try await operations.audited(
                        AuditedChange(
                            tenantID: tenant.id, actor: "system", requestID: nil, at: now,
                            records: [Self.auditRecord(plan, action: .keySchedule, target: nil)], feed: (.keys, ""))
                    ) { operations in try await Self.write(plan, operations: operations) }
                    changed.append(tenant.id)
                }
                guard tenants.count == 200 else { return changed }
                cursor = tenants.last?.slug
            }
        }
    }

    private func apply(
        _ plan: [KeyTransition], tenant: Tenant, action: AuditAction, actor: String, requestID: String?, now: Date,
        target: String? = nil
    ) async throws {
        do {
            try await store.audited(
                AuditedChange(
                    tenantID: tenant.id, actor: actor, requestID: requestID, at: now,
                    records: [Self.auditRecord(plan, action: action, target: target)], feed: (.keys, ""))
            ) { operations in try await Self.write(plan, operations: operations) }
        } catch StoreError.conflict {
            throw StoreError.conflict("tenant '\(tenant.slug)' keys changed concurrently; try again")
        }
    }

    static func write(_ plan: [KeyTransition], operations: any StoreOperations) async throws {
        for transition in plan {
            switch transition {
            case .insert(let record): try await operations.insertSigningKey(record)
            case .update(let record, let expected):
                try await operations.updateSigningKey(record, expectedState: expected)
            }
        }
    }

    /// `kid=state` of every key the plan touches, the target being the key or keys named.
    static func auditRecord(_ plan: [KeyTransition], action: AuditAction, target: String?) -> AuditRecord {
        let transitions = plan.map { "\($0.record.kid)=\($0.record.state.rawValue)" }.joined(separator: " ")
        return AuditRecord(
            action: action, target: target ?? plan.map(\.record.kid).joined(separator: ","),
            details: AuditDetails().strings("transitions", [transitions]))
    }
}
