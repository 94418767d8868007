import Foundation
import JWTKit
import TesseraCore

/// One tenant's keys, loaded and ready: the keys that sign (the main line's, and one per
/// ID-token line), the keys that verify, and the JWKS document that publishes them.
///
/// An immutable `Sendable` value: the key ring hands it out and callers sign and verify with it
/// without any further actor hop or lock. A rotation builds a new value; tokens in flight keep
/// using the one they were given.
public struct TenantKeys: Sendable {
    public let tenantID: UUID
    /// The main line's signing key; nil when the tenant has none (every key revoked), and then
    /// `sign` throws.
    public let current: LoadedKey?
    /// The main line's next key, published ahead of use; loaded so that a damaged key shows up
    /// now rather than at rotation, but it never verifies: nothing can legitimately be signed
    /// with it yet. (Other lines' next keys are loaded for the same check, then dropped.)
    public let next: LoadedKey?
    /// The `current` key of each ID-token line, by its algorithm.
    let idTokenSigners: [SigningAlgorithm: LoadedKey]
    /// Every line's `current` and `previous` keys, by kid. Nothing else verifies.
    let verifying: [String: LoadedKey]
    /// What `/.well-known/jwks.json` serves for this tenant.
    public let jwks: JWKSDocument

    /// Loads the tenant's keys from its records. Retired and revoked records are ignored; records
    /// of another tenant, two `current` or two `next` keys in one line, or a kid twice are
    /// refused. `previous` keys are loaded from their public JWK only (except HS256), so no
    /// private key that no longer signs is held in memory.
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
        var currents: [KeyLine: LoadedKey] = [:]
        var nexts: [KeyLine: LoadedKey] = [:]
        var verifying: [String: LoadedKey] = [:]
        for record in records {
            switch record.state {
            case .current:
                guard currents[record.line] == nil else {
                    throw .inconsistentKeySet(tenantID: tenantID, reason: "two current keys in one line")
                }
                let key = try await LoadedKey(record: record, masterKey: masterKey)
                guard key.canSign else { throw .missingPrivateKey(kid: record.kid) }
                currents[record.line] = key
                verifying[key.kid] = key
            case .next:
                guard nexts[record.line] == nil else {
                    throw .inconsistentKeySet(tenantID: tenantID, reason: "two next keys in one line")
                }
                nexts[record.line] = try await LoadedKey(record: record, masterKey: masterKey)
            case .previous:
                verifying[record.kid] = try await LoadedKey(
                    record: record, masterKey: masterKey, includePrivatePart: false)
            case .retired, .revoked:
                continue
            }
        }
        var idTokenSigners: [SigningAlgorithm: LoadedKey] = [:]
        for (line, key) in currents {
            if let algorithm = line.algorithm { idTokenSigners[algorithm] = key }
        }

        self.tenantID = tenantID
        self.current = currents[.main]
        self.next = nexts[.main]
        self.idTokenSigners = idTokenSigners
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

    /// The key that signs ID tokens and logout tokens for a client that registered
    /// `id_token_signed_response_alg` = `algorithm` (OIDC Registration §2, Back-Channel Logout
    /// §2.6): the current key of that ID-token line; for nil, the main line's current key.
    /// Throws when the line has no signing key here (not provisioned, or every key revoked).
    public func idTokenSigner(for algorithm: SigningAlgorithm?) throws(KeyError) -> LoadedKey {
        let key = if let algorithm { idTokenSigners[algorithm] } else { current }
        guard let key else { throw .noSigningKey(tenantID: tenantID) }
        return key
    }
}
