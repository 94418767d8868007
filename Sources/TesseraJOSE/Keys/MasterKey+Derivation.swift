import Crypto
import Foundation

extension MasterKey {
    /// A key for one other purpose (login cookies, sealed page state), derived with HKDF-SHA256
    /// so that no two uses share key material and the master key itself never leaves this module.
    /// Every instance holding the master key derives the same key, so browsers can move between
    /// instances without any shared session store.
    public func derivedKey(purpose: String) -> SymmetricKey {
        Self.derive(from: symmetricKey, purpose: purpose)
    }

    /// The same key derived from every master key that opens, the sealing one first: what one
    /// instance sealed or signed with the new master key still opens at one that accepts it
    /// while a change of master key rolls through (docs/master-key-change.md).
    public func derivedKeys(purpose: String) -> [SymmetricKey] {
        openingKeys.map { Self.derive(from: $0, purpose: purpose) }
    }

    private static func derive(from key: SymmetricKey, purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: key, salt: Array("tessera".utf8), info: Array(purpose.utf8), outputByteCount: 32)
    }
}
