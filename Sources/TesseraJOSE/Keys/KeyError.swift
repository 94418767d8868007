import Foundation
import TesseraCore

/// Everything that can go wrong with a signing key, as a value the caller can switch on.
///
/// Messages name the key (`kid`) and the tenant but never print key material: they end up in
/// logs and on the command line.
public enum KeyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The master key text is not base64url for exactly 32 bytes.
    case invalidMasterKey(reason: String)
    /// The master key file could not be read.
    case masterKeyFileUnreadable(path: String, reason: String)
    /// Sealing a private key failed (AES-GCM refused the input).
    case sealingFailed(kid: String)
    /// The sealed private key does not open: wrong master key, wrong tenant or kid, or damaged bytes.
    case cannotDecrypt(kid: String)
    /// A generator or the platform's crypto refused to make a key.
    case keyGenerationFailed(algorithm: SigningAlgorithm, reason: String)
    /// The stored public JWK is not a JWK of the record's algorithm.
    case invalidPublicJWK(kid: String, reason: String)
    /// The opened private part is not a key of the record's algorithm.
    case invalidPrivateKey(kid: String, reason: String)
    /// The private part does not belong to the stored public key, or the JWK names another kid.
    case keyMismatch(kid: String)
    /// A key that must sign (or an HS256 key, which has no public form) has no private part.
    case missingPrivateKey(kid: String)
    /// A record of another tenant was handed in with this tenant's keys.
    case wrongTenant(kid: String, expected: UUID, found: UUID)
    /// The set of records breaks a lifecycle invariant (for example two `current` keys).
    case inconsistentKeySet(tenantID: UUID, reason: String)
    /// The tenant has no `current` key, so nothing can be signed.
    case noSigningKey(tenantID: UUID)
    /// The payload or header could not be encoded as JSON.
    case tokenEncodingFailed(reason: String)
    /// The signature could not be computed.
    case signingFailed(kid: String, reason: String)
    /// No key with this kid among the tenant's records.
    case unknownKey(kid: String)
    /// The key is already retired or revoked.
    case notRevocable(kid: String, state: KeyState)

    public var description: String {
        switch self {
        case .invalidMasterKey(let reason):
            "invalid master key: \(reason)"
        case .masterKeyFileUnreadable(let path, let reason):
            "cannot read the master key file \(path): \(reason)"
        case .sealingFailed(let kid):
            "cannot seal the private part of key \(kid)"
        case .cannotDecrypt(let kid):
            "cannot decrypt the private part of key \(kid): wrong master key, or the key belongs to another tenant or kid"
        case .keyGenerationFailed(let algorithm, let reason):
            "cannot generate a \(algorithm.rawValue) key: \(reason)"
        case .invalidPublicJWK(let kid, let reason):
            "the public JWK of key \(kid) is invalid: \(reason)"
        case .invalidPrivateKey(let kid, let reason):
            "the private part of key \(kid) is invalid: \(reason)"
        case .keyMismatch(let kid):
            "the private part of key \(kid) does not match its published public key or kid"
        case .missingPrivateKey(let kid):
            "key \(kid) has no private part"
        case .wrongTenant(let kid, let expected, let found):
            "key \(kid) belongs to tenant \(found.uuidString.lowercased()), not \(expected.uuidString.lowercased())"
        case .inconsistentKeySet(let tenantID, let reason):
            "the signing keys of tenant \(tenantID.uuidString.lowercased()) are inconsistent: \(reason)"
        case .noSigningKey(let tenantID):
            "tenant \(tenantID.uuidString.lowercased()) has no current signing key"
        case .tokenEncodingFailed(let reason):
            "cannot encode the token: \(reason)"
        case .signingFailed(let kid, let reason):
            "cannot sign with key \(kid): \(reason)"
        case .unknownKey(let kid):
            "no key with kid \(kid)"
        case .notRevocable(let kid, let state):
            "key \(kid) is already \(state.rawValue)"
        }
    }
}
