import Crypto
import Foundation
import TesseraCore
import TesseraJOSE

/// Seals the small pieces of state a browser carries for us (the login session, the pending
/// authorization request) with AES-256-GCM under a key derived from the master key. The browser
/// can neither read nor alter them, every instance can open them, and no server-side session
/// store exists. The purpose and the tenant are bound as associated data, so a value sealed for
/// one use or one tenant never opens as another.
public struct BrowserSealer: Sendable {
    /// The sealing key first, then those of accepted master keys, which only open and verify.
    let keys: [SymmetricKey]
    let key: SymmetricKey

    public init(masterKey: MasterKey) {
        keys = masterKey.derivedKeys(purpose: Self.purpose)
        key = masterKey.derivedKey(purpose: Self.purpose)
    }

    static let purpose = "tessera browser state v1"

    public enum Purpose: String, Sendable {
        case session
        case pending
        case signOut
        /// A WebAuthn challenge: the challenge is the sealed value itself.
        case passkey
        /// A sign-in at an upstream provider in progress: its state, nonce and PKCE verifier.
        case upstream
    }

    public func seal<Value: Encodable>(_ value: Value, purpose: Purpose, tenantID: UUID) -> String? {
        guard let plaintext = try? JSONEncoder().encode(value),
            let box = try? AES.GCM.seal(plaintext, using: key, authenticating: Self.context(purpose, tenantID)),
            let combined = box.combined
        else { return nil }
        return Base64URL.encode(combined)
    }

    /// Nil for anything that was not sealed by us for this purpose and tenant.
    public func open<Value: Decodable>(
        _ text: String, as type: Value.Type, purpose: Purpose, tenantID: UUID
    ) -> Value? {
        openNotingKey(text, as: type, purpose: purpose, tenantID: tenantID)?.value
    }

    /// `open`, and whether an accepted master key opened it rather than the sealing key: such a
    /// value stops opening once that key is dropped (docs/master-key-change.md), so what lives
    /// long in a browser, its session, is sealed again with the sealing key on its next page.
    public func openNotingKey<Value: Decodable>(
        _ text: String, as type: Value.Type, purpose: Purpose, tenantID: UUID
    ) -> (value: Value, sealedWithAnAcceptedKey: Bool)? {
        guard text.utf8.count <= 8_192, let bytes = Base64URL.decode(text),
            let box = try? AES.GCM.SealedBox(combined: bytes),
            let (index, plaintext) = keys.indices.lazy.compactMap({ index in
                (try? AES.GCM.open(box, using: keys[index], authenticating: Self.context(purpose, tenantID)))
                    .map { (index, $0) }
            }).first,
            let value = try? JSONDecoder().decode(Value.self, from: plaintext)
        else { return nil }
        return (value, index > 0)
    }

    /// The CSRF token of a browser: an HMAC of its random binding cookie, so a page rendered for
    /// one browser cannot be submitted from another (OWASP's signed double-submit pattern).
    public func csrfToken(browserID: String, tenantID: UUID) -> String {
        Self.csrfToken(browserID: browserID, tenantID: tenantID, key: key)
    }

    public func verifyCSRF(_ token: String?, browserID: String?, tenantID: UUID) -> Bool {
        guard let token, let browserID, !browserID.isEmpty else { return false }
        return keys.contains { key in
            ConstantTime.equals(
                Array(Self.csrfToken(browserID: browserID, tenantID: tenantID, key: key).utf8), Array(token.utf8))
        }
    }

    private static func csrfToken(browserID: String, tenantID: UUID, key: SymmetricKey) -> String {
        Base64URL.encode(HMAC<SHA256>.authenticationCode(for: Array("csrf|\(tenantID)|\(browserID)".utf8), using: key))
    }

    private static func context(_ purpose: Purpose, _ tenantID: UUID) -> [UInt8] {
        Array("\(purpose.rawValue)|\(tenantID.uuidString.lowercased())".utf8)
    }
}
