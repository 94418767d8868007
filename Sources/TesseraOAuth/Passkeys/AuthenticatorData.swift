import Foundation
import TesseraJOSE

/// The authenticator data of a WebAuthn ceremony (WebAuthn L3 §6.1): which RP it was made for,
/// the flags the authenticator set, its signature counter, and at registration the new
/// credential. The layout has no length fields of its own beyond the credential id's, so every
/// byte is accounted for: a structure with bytes left over is refused.
public struct AuthenticatorData: Sendable {
    public let rpIDHash: [UInt8]
    public let flags: Flags
    public let signCount: UInt32
    public let attestedCredential: AttestedCredential?
    /// The bytes as signed: the assertion signature covers them, not a re-encoding.
    public let raw: [UInt8]

    /// WebAuthn L3 §6.1 flags. Bits 1 and 5 are reserved and ignored, as the spec requires.
    public struct Flags: Sendable, Equatable {
        public let rawValue: UInt8
        public var userPresent: Bool { rawValue & 0x01 != 0 }
        public var userVerified: Bool { rawValue & 0x04 != 0 }
        /// The credential may be synced to other devices (a multi-device passkey).
        public var backupEligible: Bool { rawValue & 0x08 != 0 }
        public var backedUp: Bool { rawValue & 0x10 != 0 }
        public var hasAttestedCredential: Bool { rawValue & 0x40 != 0 }
        public var hasExtensions: Bool { rawValue & 0x80 != 0 }
    }

    /// WebAuthn L3 §6.5.1.
    public struct AttestedCredential: Sendable {
        public let aaguid: [UInt8]
        public let credentialID: [UInt8]
        public let publicKey: COSEKey
        /// The key as the authenticator encoded it, stored as it came.
        public let publicKeyBytes: [UInt8]
    }

    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    /// WebAuthn L3 §5.8.3: credential ids are at most 1023 bytes.
    public static let maximumCredentialIDLength = 1023

    public init(_ bytes: [UInt8]) throws(Failure) {
        // 32 bytes of RP id hash, one of flags, four of counter.
        guard bytes.count >= 37 else { throw Failure(reason: "authenticator data shorter than 37 bytes") }
        raw = bytes
        rpIDHash = Array(bytes[0..<32])
        flags = Flags(rawValue: bytes[32])
        signCount = bytes[33..<37].reduce(0) { $0 << 8 | UInt32($1) }
        var rest = bytes[37...]
        if flags.hasAttestedCredential {
            guard rest.count >= 18 else { throw Failure(reason: "attested credential data cut short") }
            let aaguid = Array(rest.prefix(16))
            let length = Int(rest[rest.startIndex + 16]) << 8 | Int(rest[rest.startIndex + 17])
            rest = rest.dropFirst(18)
            guard length > 0, length <= Self.maximumCredentialIDLength else {
                throw Failure(reason: "credential id of \(length) bytes")
            }
            guard rest.count >= length else { throw Failure(reason: "credential id cut short") }
            let credentialID = Array(rest.prefix(length))
            rest = rest.dropFirst(length)
            let key: CBORValue
            let after: ArraySlice<UInt8>
            do {
                (key, after) = try CBOR.decodePrefix(rest)
            } catch {
                throw Failure(reason: "credential public key: \(error.description)")
            }
            let keyBytes = Array(rest.prefix(rest.count - after.count))
            rest = after
            do {
                attestedCredential = AttestedCredential(
                    aaguid: aaguid, credentialID: credentialID, publicKey: try COSEKey(key), publicKeyBytes: keyBytes)
            } catch {
                throw Failure(reason: "credential public key: \(error.description)")
            }
        } else {
            attestedCredential = nil
        }
        if flags.hasExtensions {
            // Read to find their end and to refuse malformed ones; no extension is acted upon.
            let extensions: CBORValue
            do {
                (extensions, rest) = try CBOR.decodePrefix(rest)
            } catch {
                throw Failure(reason: "extensions: \(error.description)")
            }
            guard case .map = extensions else { throw Failure(reason: "extensions are not a map") }
        }
        guard rest.isEmpty else { throw Failure(reason: "\(rest.count) bytes after the authenticator data") }
    }
}
