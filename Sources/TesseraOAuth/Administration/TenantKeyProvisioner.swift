import Foundation
import TesseraCore
import TesseraJOSE

/// Makes a new tenant's first keys, sealed under the master key, so tenant creation can write
/// them in the same transaction as the tenant.
public struct TenantKeyProvisioner: Sendable {
    let masterKey: MasterKey

    public init(masterKey: MasterKey) { self.masterKey = masterKey }

    func initialKeys(_ tenant: Tenant) throws -> [SigningKeyRecord] {
        let algorithm = tenant.settings.keyAlgorithm
        return try KeyLifecycle.initialKeys(
            tenantID: tenant.id, algorithm: algorithm, now: tenant.createdAt, masterKey: masterKey
        ).map(\.record)
    }
}
