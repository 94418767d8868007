import Crypto
import Foundation

/// Random values handed out once: client secrets, authorization codes, refresh tokens, device
/// codes. 256 bits from the system CSPRNG, base64url without padding.
public enum RandomToken {
    public static func generate(bytes count: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Base64URL.encode(bytes)
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
        let other = SecretHash(of: candidate).bytes
        guard other.count == bytes.count else { return false }
        var difference: UInt8 = 0
        for index in bytes.indices { difference |= bytes[index] ^ other[index] }
        return difference == 0
    }
}

public enum Base64URL {
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ text: String) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !base64.contains("=") else { return nil }
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).map(Array.init)
    }
}
