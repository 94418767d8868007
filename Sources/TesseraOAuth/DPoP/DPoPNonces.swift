import Crypto
import Foundation
import TesseraCore
import TesseraJOSE

/// Server-provided DPoP nonces (RFC 9449 §8) that every instance accepts without shared state:
/// a nonce is a time slot and an HMAC of it (and of the tenant) under a key derived from the
/// master key, so any instance holding the master key checks any other's. A nonce is good in its
/// slot and the next one, so it rotates every `slot` and lives at most twice that.
public struct DPoPNonces: Sendable {
    let key: SymmetricKey
    /// `key` and those of accepted master keys: a nonce another instance handed out under the
    /// new master key is good here while the change rolls through (docs/master-key-change.md).
    let verifyingKeys: [SymmetricKey]
    let slot: TimeInterval

    public init(masterKey: MasterKey, slot: TimeInterval = 120) {
        key = masterKey.derivedKey(purpose: "tessera dpop nonce v1")
        verifyingKeys = masterKey.derivedKeys(purpose: "tessera dpop nonce v1")
        self.slot = max(1, slot)
    }

    /// The nonce to hand out now for `tenantID`.
    public func nonce(for tenantID: UUID, at now: Date) -> String {
        make(slot: Self.slotNumber(now, slot), tenantID: tenantID)
    }

    /// Whether `nonce` was handed out for `tenantID` in this slot or the one before.
    public func accepts(_ nonce: String, for tenantID: UUID, at now: Date) -> Bool {
        let current = Self.slotNumber(now, slot)
        return verifyingKeys.contains { key in
            [current, current - 1].contains { candidate in
                ConstantTime.equals(Array(nonce.utf8), Array(make(slot: candidate, tenantID: tenantID, key: key).utf8))
            }
        }
    }

    /// The rule for one request: the proof's nonce must be accepted; `current` goes back in the
    /// `DPoP-Nonce` header when it is not.
    public struct Check: Sendable {
        let nonces: DPoPNonces
        let tenantID: UUID
        let now: Date

        public var current: String { nonces.nonce(for: tenantID, at: now) }
        public func accepts(_ nonce: String) -> Bool { nonces.accepts(nonce, for: tenantID, at: now) }
    }

    public func check(for tenantID: UUID, at now: Date) -> Check { Check(nonces: self, tenantID: tenantID, now: now) }

    static func slotNumber(_ date: Date, _ slot: TimeInterval) -> Int64 {
        Int64((date.timeIntervalSince1970 / slot).rounded(.down))
    }

    /// `base64url(slot || HMAC-SHA256(key, slot || tenant id)[0..<16])`: 32 characters.
    func make(slot number: Int64, tenantID: UUID) -> String {
        make(slot: number, tenantID: tenantID, key: key)
    }

    private func make(slot number: Int64, tenantID: UUID, key: SymmetricKey) -> String {
        var slotBytes = withUnsafeBytes(of: number.bigEndian) { Array($0) }
        let tenantBytes = withUnsafeBytes(of: tenantID.uuid) { Array($0) }
        let mac = HMAC<SHA256>.authenticationCode(for: slotBytes + tenantBytes, using: key)
        slotBytes.append(contentsOf: Array(mac).prefix(16))
        return Base64URL.encode(slotBytes)
    }
}
