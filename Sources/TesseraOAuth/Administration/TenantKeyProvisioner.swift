import Foundation
import TesseraCore
import TesseraJOSE

/// Makes a new tenant's first keys, sealed under the master key, so tenant creation can write
/// them in the same transaction as the tenant; and the first keys of an ID-token line.
public struct TenantKeyProvisioner: Sendable {
    let masterKey: MasterKey

    public init(masterKey: MasterKey) { self.masterKey = masterKey }

    func initialKeys(_ tenant: Tenant) throws -> [SigningKeyRecord] {
        let algorithm = tenant.settings.keyAlgorithm
        return try KeyLifecycle.initialKeys(
            tenantID: tenant.id, algorithm: algorithm, now: tenant.createdAt, masterKey: masterKey
        ).map(\.record)
    }

    /// The first `current` and `next` keys of the tenant's ID-token line of `algorithm`, as a plan.
    func idTokenLine(_ tenant: Tenant, algorithm: SigningAlgorithm, now: Date) throws -> [KeyTransition] {
        try KeyLifecycle.initialKeys(
            tenantID: tenant.id, algorithm: algorithm, now: now, masterKey: masterKey, line: .idToken(algorithm))
    }
}
