import Foundation
import TesseraCore
import TesseraStore

/// The management operations every front end shares: the CLI, the admin API and, next, the
/// console. One file per aggregate (`+Tenants`, `+Clients`, `+Users`, `+Scopes`, `+Audit`; keys
/// in `KeyManagement`), each operation taking the `Tenant` it works in. Each validates its
/// input, writes through `Store.audited` (change, audit line and change-feed entry in one
/// transaction), and reports failures as `ValidationError` or `AdministrationError`, never as a
/// driver error. Updates check the version the caller read (its ETag), so two admins never
/// overwrite each other unknowingly: every aggregate has an integer `version`, bumped by each
/// change.
public struct Administration: Sendable {
    public let store: any Store
    public let publicURL: PublicURL
    public let passwords: PasswordHasher
    let keyProvisioner: TenantKeyProvisioner
    let clock: @Sendable () -> Date

    public init(
        store: any Store, publicURL: PublicURL, passwords: PasswordHasher, keyProvisioner: TenantKeyProvisioner,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.publicURL = publicURL
        self.passwords = passwords
        self.keyProvisioner = keyProvisioner
        self.clock = clock
    }

    /// The expected version (from `If-Match`) must be the stored one; nil means "any" (`*`).
    public static func check(_ expected: Int?, current: Int) throws {
        if let expected, expected != current {
            throw AdministrationError.versionMismatch(current: String(current))
        }
    }

    static func unique<T: Hashable>(_ values: [T]) -> [T] {
        var seen = Set<T>()
        return values.filter { seen.insert($0).inserted }
    }
}
