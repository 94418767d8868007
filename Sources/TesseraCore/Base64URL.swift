/// The one base64url of the server (RFC 4648 §5, no padding): JWS segments, JWK members, random
/// tokens, PKCE challenges, sealed browser state and admin cursors all go through it. It lives in
/// the bottom layer because PKCE and random tokens need it; the JOSE layer uses it as it is.
///
/// Straight into and out of byte arrays, for the token hot path: a JWT is built and taken apart
/// as bytes, and going through `Data`, `String` and three character replacements per segment
/// costs more than the rest of the framing.
///
/// Decoding is strict, as RFC 7515 §2 requires of JWS segments: only the URL-safe alphabet, no
/// padding, no whitespace, and the unused low bits of the last character must be zero, so that
/// every byte string has exactly one accepted spelling and an altered segment never decodes to
/// the same bytes.
public enum Base64URL {
    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// 0xFF marks a byte outside the alphabet.
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, character) in alphabet.enumerated() { table[Int(character)] = UInt8(value) }
        return table
    }()

    /// Appends the encoding of `bytes` to `output`.
    public static func append(_ bytes: [UInt8], to output: inout [UInt8]) {
        output.reserveCapacity(output.count + (bytes.count * 4 + 2) / 3)
        var index = 0
        let fullGroupsEnd = bytes.count - bytes.count % 3
        while index < fullGroupsEnd {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            output.append(alphabet[Int(value >> 18 & 0x3F)])
            output.append(alphabet[Int(value >> 12 & 0x3F)])
            output.append(alphabet[Int(value >> 6 & 0x3F)])
            output.append(alphabet[Int(value & 0x3F)])
            index += 3
        }
        switch bytes.count - fullGroupsEnd {
        case 1:
            let value = UInt32(bytes[index]) << 16
            output.append(alphabet[Int(value >> 18 & 0x3F)])
            output.append(alphabet[Int(value >> 12 & 0x3F)])
        case 2:
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            output.append(alphabet[Int(value >> 18 & 0x3F)])
            output.append(alphabet[Int(value >> 12 & 0x3F)])
            output.append(alphabet[Int(value >> 6 & 0x3F)])
        default:
            break
        }
    }

    /// The encoding as bytes, ready to be framed into a JWS.
    public static func encodedBytes(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        append(bytes, to: &output)
        return output
    }

    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        String(decoding: encodedBytes(Array(bytes)), as: UTF8.self)
    }

    /// The decoded bytes, or nil when `text` is not canonical unpadded base64url.
    public static func decode(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        let remainder = text.count % 4
        guard remainder != 1 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(text.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bitCount = 0
        for character in text {
            let value = decodeTable[Int(character)]
            guard value != 0xFF else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bitCount += 6
            if bitCount >= 8 {
                bitCount -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bitCount)))
                accumulator &= (1 << UInt32(bitCount)) - 1
            }
        }
        // Leftover bits (2 or 4) must be zero: otherwise two spellings would decode alike.
        guard accumulator == 0 else { return nil }
        return output
    }

    public static func decode(_ text: String) -> [UInt8]? {
        decode(Array(text.utf8)[...])
    }
}
