import Crypto
import Foundation

/// Time-based one-time passwords (RFC 6238) over HOTP (RFC 4226), as authenticator apps compute
/// them: HMAC-SHA-1, 30-second steps from the Unix epoch, six digits. These are the `otpauth://`
/// defaults every app implements; other parameters are not offered, since several apps ignore
/// them silently and would then show wrong codes.
public enum TOTP {
    public static let period: Int64 = 30
    public static let digits = 6
    /// RFC 4226 §4 R6 asks for at least 128 bits; 160 is the HMAC-SHA-1 block-size advice.
    public static let secretLength = 20
    /// RFC 6238 §5.2: one step either way forgives a clock that drifted or a code typed slowly.
    public static let drift: Int64 = 1

    /// The step `date` falls in (RFC 6238 §4.2 `T`).
    public static func step(at date: Date) -> Int64 { Int64(floor(date.timeIntervalSince1970)) / period }

    /// RFC 4226 §5.3: the HOTP value of `counter`, truncated dynamically to `digits` digits.
    public static func code(secret: [UInt8], step counter: Int64) -> String {
        var message = [UInt8](repeating: 0, count: 8)
        for index in 0..<8 {
            message[7 - index] = UInt8(truncatingIfNeeded: UInt64(bitPattern: counter) >> (8 * index))
        }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let binary =
            (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8)
            | UInt32(mac[offset + 3])
        let value = binary % 1_000_000
        let text = String(value)
        return String(repeating: "0", count: digits - text.count) + text
    }

    /// The step whose code `typed` is, within the drift of `date`, and later than `after` (the
    /// last step accepted: RFC 6238 §5.2 "MUST NOT accept the second attempt of the same OTP");
    /// nil otherwise. Compared in constant time.
    public static func matchingStep(_ typed: String, secret: [UInt8], at date: Date, after used: Int64?) -> Int64? {
        let digitsOnly = typed.filter { !$0.isWhitespace }
        guard digitsOnly.count == digits, digitsOnly.allSatisfy(\.isASCII), digitsOnly.allSatisfy(\.isNumber) else {
            return nil
        }
        let now = step(at: date)
        var found: Int64?
        for candidate in (now - drift)...(now + drift) where candidate > (used ?? Int64.min) {
            if ConstantTime.equals(Array(code(secret: secret, step: candidate).utf8), Array(digitsOnly.utf8)) {
                found = found ?? candidate
            }
        }
        return found
    }

    /// The `otpauth://totp/` URI authenticator apps read (the Key Uri Format of Google
    /// Authenticator, which all of them follow): label `issuer:account`, secret in base32.
    public static func uri(secret: [UInt8], issuer: String, account: String) -> String {
        func encode(_ text: String) -> String {
            text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~")))
                ?? text
        }
        return "otpauth://totp/\(encode(issuer)):\(encode(account))?secret=\(Base32.encode(secret))"
            + "&issuer=\(encode(issuer))&algorithm=SHA1&digits=\(digits)&period=\(period)"
    }
}

/// RFC 4648 §6 base32 without padding, as `otpauth` URIs carry secrets.
public enum Base32 {
    public static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
