import Crypto
import Foundation

/// Encrypts private signing keys at rest with AES-256-GCM under the master key.
///
/// The tenant id and the kid are bound as associated data, so a sealed key copied into another
/// tenant's row, or under another kid, fails to open instead of signing for the wrong issuer.
///
/// Layout of a sealed key: `version (1 byte) || nonce (12) || ciphertext || tag (16)`. The version
/// byte lets a later format (another cipher, a rotated master key) sit beside this one.
public struct KeySealer: Sendable {
    /// The format this code writes and the only one it reads.
    static let version: UInt8 = 1
    static let nonceLength = 12
    static let tagLength = 16

    let masterKey: MasterKey

    public init(masterKey: MasterKey) {
        self.masterKey = masterKey
    }

    /// Seals `privateKey` for the key `kid` of `tenantID`. A fresh random nonce every time.
    public func seal(_ privateKey: [UInt8], tenantID: UUID, kid: String) throws(KeyError) -> [UInt8] {
        do {
            let box = try AES.GCM.seal(
                privateKey, using: masterKey.symmetricKey, nonce: AES.GCM.Nonce(),
                authenticating: Self.associatedData(tenantID: tenantID, kid: kid))
            var sealed: [UInt8] = [Self.version]
            sealed.reserveCapacity(1 + Self.nonceLength + privateKey.count + Self.tagLength)
            sealed.append(contentsOf: box.nonce)
            sealed.append(contentsOf: box.ciphertext)
            sealed.append(contentsOf: box.tag)
            return sealed
        } catch {
            throw .sealingFailed(kid: kid)
        }
    }

    /// Opens what `seal` produced, under the sealing key or any accepted one. Any failure (wrong master key, other tenant or kid, truncated
    /// or altered bytes, unknown version) is `KeyError.cannotDecrypt`: the reasons are not told
    /// apart, on purpose, since GCM cannot tell them apart either.
    public func open(_ sealed: [UInt8], tenantID: UUID, kid: String) throws(KeyError) -> [UInt8] {
        guard sealed.count >= 1 + Self.nonceLength + Self.tagLength, sealed[0] == Self.version else {
            throw .cannotDecrypt(kid: kid)
        }
        let nonceEnd = 1 + Self.nonceLength
        let tagStart = sealed.count - Self.tagLength
        do {
            let box = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: sealed[1..<nonceEnd]),
                ciphertext: sealed[nonceEnd..<tagStart],
                tag: sealed[tagStart...])
            let associatedData = Self.associatedData(tenantID: tenantID, kid: kid)
            for key in masterKey.openingKeys {
                if let plaintext = try? AES.GCM.open(box, using: key, authenticating: associatedData) {
                    return Array(plaintext)
                }
            }
            throw KeyError.cannotDecrypt(kid: kid)
        } catch {
            throw .cannotDecrypt(kid: kid)
        }
    }

    /// `tessera-key-v1|<tenant uuid, lowercase>|<kid>`: what the ciphertext is bound to.
    static func associatedData(tenantID: UUID, kid: String) -> [UInt8] {
        Array("tessera-key-v1|\(tenantID.uuidString.lowercased())|\(kid)".utf8)
    }
}

extension MasterKey {
    /// Shorthand for `KeySealer(masterKey: self).seal(...)`.
    public func seal(_ privateKey: [UInt8], tenantID: UUID, kid: String) throws(KeyError) -> [UInt8] {
        try KeySealer(masterKey: self).seal(privateKey, tenantID: tenantID, kid: kid)
    }

    /// Shorthand for `KeySealer(masterKey: self).open(...)`.
    public func open(_ sealed: [UInt8], tenantID: UUID, kid: String) throws(KeyError) -> [UInt8] {
        try KeySealer(masterKey: self).open(sealed, tenantID: tenantID, kid: kid)
    }
}
