import Foundation
import JWTKit
import TesseraCore

/// One tenant's keys, loaded and ready: the key that signs, the keys that verify, and the JWKS
/// document that publishes them.
///
/// An immutable `Sendable` value: the key ring hands it out and callers sign and verify with it
/// without any further actor hop or lock. A rotation builds a new value; tokens in flight keep
/// using the one they were given.
public struct TenantKeys: Sendable {
    public let tenantID: UUID
    /// The signing key; nil when the tenant has none (every key revoked), and then `sign` throws.
    public let current: LoadedKey?
    /// Published ahead of use; loaded so that a damaged key shows up now rather than at
    /// rotation, but it never verifies: nothing can legitimately be signed with it yet.
    public let next: LoadedKey?
    /// `current` and every `previous` key, by kid. Nothing else verifies.
    let verifying: [String: LoadedKey]
    /// What `/.well-known/jwks.json` serves for this tenant.
    public let jwks: JWKSDocument

    /// Loads the tenant's keys from its records. Retired and revoked records are ignored; records
    /// of another tenant, two `current` or two `next` keys, or a kid twice are refused.
    /// `previous` keys are loaded from their public JWK only (except HS256), so no private key that
    /// no longer signs is held in memory.
    public init(tenantID: UUID, records: [SigningKeyRecord], masterKey: MasterKey) async throws(KeyError) {
        var seen = Set<String>()
        for record in records {
            guard record.tenantID == tenantID else {
                throw .wrongTenant(kid: record.kid, expected: tenantID, found: record.tenantID)
            }
            guard seen.insert(record.kid).inserted else {
                throw .inconsistentKeySet(tenantID: tenantID, reason: "kid \(record.kid) appears twice")
            }
        }
        let currents = records.filter { $0.state == .current }
        let nexts = records.filter { $0.state == .next }
        guard currents.count <= 1 else {
            throw .inconsistentKeySet(tenantID: tenantID, reason: "\(currents.count) current keys")
        }
        guard nexts.count <= 1 else {
            throw .inconsistentKeySet(tenantID: tenantID, reason: "\(nexts.count) next keys")
        }

        var current: LoadedKey?
        if let record = currents.first {
            let key = try await LoadedKey(record: record, masterKey: masterKey)
            guard key.canSign else { throw .missingPrivateKey(kid: record.kid) }
            current = key
        }
        var next: LoadedKey?
        if let record = nexts.first {
            next = try await LoadedKey(record: record, masterKey: masterKey)
        }
        var verifying: [String: LoadedKey] = [:]
        if let current { verifying[current.kid] = current }
        for record in records where record.state == .previous {
            verifying[record.kid] = try await LoadedKey(
                record: record, masterKey: masterKey, includePrivatePart: false)
        }

        self.tenantID = tenantID
        self.current = current
        self.next = next
        self.verifying = verifying
        self.jwks = JWKSDocument(publishedKeys: records)
    }

    /// The kids a token may name to be accepted.
    public var verifyingKids: Set<String> { Set(verifying.keys) }

    /// Signs `payload` with the current key; `type` becomes the header's `typ` (`at+jwt` for
    /// access tokens, RFC 9068 §2.1; `JWT` for ID tokens).
    public func sign(_ payload: some CompactJSONEncodable, type: String) throws(KeyError) -> String {
        guard let current else { throw .noSigningKey(tenantID: tenantID) }
        return try current.sign(payload, type: type)
    }
}
