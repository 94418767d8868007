import Crypto
import Foundation

extension MasterKey {
    /// A key for one other purpose (login cookies, sealed page state), derived with HKDF-SHA256
    /// so that no two uses share key material and the master key itself never leaves this module.
    /// Every instance holding the master key derives the same key, so browsers can move between
    /// instances without any shared session store.
    public func derivedKey(purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: symmetricKey, salt: Array("tessera".utf8), info: Array(purpose.utf8), outputByteCount: 32)
    }
}
