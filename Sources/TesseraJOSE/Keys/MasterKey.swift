import Crypto
import Foundation
import TesseraCore

/// The 256-bit key that seals every tenant's private signing keys at rest (AES-256-GCM).
///
/// It lives outside the database (a file or an environment variable), so a stolen database dump
/// holds no usable private key. It never prints: `description`, `debugDescription` and the
/// reflection `dump` uses all read `MasterKey(redacted)`, so a stray log line cannot leak it.
public struct MasterKey: Sendable {
    /// Length of the key in bytes (AES-256).
    public static let byteCount = 32

    /// Kept as a `SymmetricKey`, whose storage swift-crypto zeroes when it is released.
    let symmetricKey: SymmetricKey
    /// Further master keys that open what they sealed but never seal (docs/master-key-change.md):
    /// during a change of master key every instance opens with both the old and the new one.
    let acceptedKeys: [SymmetricKey]

    /// Reads the key from its base64url text (no padding), exactly as `base64URL` writes it.
    public init(base64URL text: String) throws(KeyError) {
        guard let bytes = Base64URL.decode(text) else {
            throw .invalidMasterKey(reason: "not base64url text (alphabet A-Z a-z 0-9 - _, no padding)")
        }
        guard bytes.count == Self.byteCount else {
            throw .invalidMasterKey(reason: "decodes to \(bytes.count) bytes, expected \(Self.byteCount)")
        }
        self.symmetricKey = SymmetricKey(data: bytes)
        self.acceptedKeys = []
    }

    /// Reads the key from a file holding its base64url text; surrounding whitespace (a trailing
    /// newline from `echo`) is ignored.
    public init(contentsOfFile path: String) throws(KeyError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .masterKeyFileUnreadable(path: path, reason: "\(error.localizedDescription)")
        }
        do {
            try self.init(base64URL: text.trimmingCharacters(in: .whitespacesAndNewlines))
        } catch {
            guard case .invalidMasterKey(let reason) = error else { throw error }
            throw .masterKeyFileUnreadable(path: path, reason: reason)
        }
    }

    private init(symmetricKey: SymmetricKey, acceptedKeys: [SymmetricKey] = []) {
        self.symmetricKey = symmetricKey
        self.acceptedKeys = acceptedKeys
    }

    /// This key sealing, and `others` opening too (duplicates of this one are dropped).
    public func accepting(_ others: [MasterKey]) -> MasterKey {
        let own = base64URL
        let extra = others.filter { $0.base64URL != own }.map(\.symmetricKey)
        return MasterKey(symmetricKey: symmetricKey, acceptedKeys: acceptedKeys + extra)
    }

    /// `next` sealing while every key that opens here still opens: the set with which the offline
    /// rewrap moves everything sealed under this one to `next`.
    public func handingOver(to next: MasterKey) -> MasterKey {
        next.sealingOnly.accepting(openingKeys.map { MasterKey(symmetricKey: $0) })
    }

    /// The sealing key alone: what opens with it no longer needs an accepted key.
    public var sealingOnly: MasterKey { MasterKey(symmetricKey: symmetricKey) }

    /// How many further keys open (not seal).
    public var acceptedCount: Int { acceptedKeys.count }

    /// Every key that opens, the sealing key first.
    var openingKeys: [SymmetricKey] { [symmetricKey] + acceptedKeys }

    /// A fresh key from the system's CSPRNG.
    public static func generate() -> MasterKey {
        MasterKey(symmetricKey: SymmetricKey(size: .bits256))
    }

    /// The key as base64url text without padding: what `tessera` writes to the key file.
    public var base64URL: String {
        symmetricKey.withUnsafeBytes { Base64URL.encode($0) }
    }
}

extension MasterKey: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "MasterKey(redacted)" }
    public var debugDescription: String { "MasterKey(redacted)" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
