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
    let key: SymmetricKey

    public init(masterKey: MasterKey) {
        key = masterKey.derivedKey(purpose: "tessera browser state v1")
    }

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
        guard text.utf8.count <= 8_192, let bytes = Base64URL.decode(text),
            let box = try? AES.GCM.SealedBox(combined: bytes),
            let plaintext = try? AES.GCM.open(box, using: key, authenticating: Self.context(purpose, tenantID))
        else { return nil }
        return try? JSONDecoder().decode(Value.self, from: plaintext)
    }

    /// The CSRF token of a browser: an HMAC of its random binding cookie, so a page rendered for
    /// one browser cannot be submitted from another (OWASP's signed double-submit pattern).
    public func csrfToken(browserID: String, tenantID: UUID) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("csrf|\(tenantID)|\(browserID)".utf8), using: key)
        return Base64URL.encode(mac)
    }

    public func verifyCSRF(_ token: String?, browserID: String?, tenantID: UUID) -> Bool {
        guard let token, let browserID, !browserID.isEmpty else { return false }
        return ConstantTime.equals(Array(csrfToken(browserID: browserID, tenantID: tenantID).utf8), Array(token.utf8))
    }

    private static func context(_ purpose: Purpose, _ tenantID: UUID) -> [UInt8] {
        Array("\(purpose.rawValue)|\(tenantID.uuidString.lowercased())".utf8)
    }
}
