import Crypto
import Foundation

/// Random values handed out once: client secrets, authorization codes, refresh tokens, device
/// codes. 256 bits from the system CSPRNG, base64url without padding.
public enum RandomToken {
    public static func generate(bytes count: Int = 32) -> String {
        Base64URL.encode(randomBytes(count))
    }

    /// Eight bytes per call to the system generator: one `getrandom` per word, not per byte
    /// (this runs for every token id and request id on the hot path).
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 8)
        while bytes.count < count {
            withUnsafeBytes(of: generator.next()) { bytes.append(contentsOf: $0) }
        }
        return Array(bytes.prefix(count))
    }
}

/// The only form in which a secret handed to a client is stored: SHA-256 of the value.
/// A 256-bit random secret needs no slow hash; it cannot be guessed, only stolen.
public struct SecretHash: Sendable, Hashable {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    public init(of secret: String) { self.bytes = Array(SHA256.hash(data: Data(secret.utf8))) }

    /// Constant-time comparison, so the time taken says nothing about how much of a guess matched.
    public func matches(_ candidate: String) -> Bool {
        ConstantTime.equals(bytes, SecretHash(of: candidate).bytes)
    }
}

/// The one comparison of secrets and values derived from them (hashes, PKCE challenges, CSRF
/// tokens): its time depends on the length only, never on where the first difference is.
public enum ConstantTime {
    public static func equals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
