import SwiftASN1

/// The text of an attribute value encoded as one of ASN.1's string types: `DirectoryString`
/// (X.520: UTF8String, PrintableString, TeletexString, UniversalString, BMPString) and the
/// IA5String, VisibleString and NumericString some attributes use (`emailAddress`, `DC`).
///
/// Every string type has to be read: two names are the same name when their values have the
/// same characters in different string types (RFC 4518 §2.1 prepares both to Unicode first), and
/// a DN comparison that saw only some types would call a BMPString subject different from a
/// UTF8String issuer that OpenSSL calls equal.
enum DirectoryString {
    /// The characters of the DER-encoded value, or nil for a type that is not a string or an
    /// encoding that does not decode.
    static func text(ofDER der: [UInt8]) -> String? {
        guard let node = try? DER.parse(der), node.identifier.tagClass == .universal,
            case .primitive(let content) = node.content
        else { return nil }
        return text(tag: node.identifier.tagNumber, content: Array(content))
    }

    static func text(tag: UInt, content: [UInt8]) -> String? {
        switch tag {
        case 12:  // UTF8String
            return String(validating: content, as: UTF8.self)
        case 18, 19, 22, 26:  // NumericString, PrintableString, IA5String, VisibleString
            guard content.allSatisfy({ $0 < 0x80 }) else { return nil }
            return String(decoding: content, as: UTF8.self)
        case 20:  // TeletexString: read as Latin-1, as OpenSSL and most software do
            return String(String.UnicodeScalarView(content.map { Unicode.Scalar($0) }))
        case 28:  // UniversalString: UCS-4, big-endian
            return scalars(content, width: 4)
        case 30:  // BMPString: UCS-2, big-endian
            return scalars(content, width: 2)
        default:
            return nil
        }
    }

    private static func scalars(_ content: [UInt8], width: Int) -> String? {
        guard content.count % width == 0 else { return nil }
        var result = String.UnicodeScalarView()
        var index = 0
        while index < content.count {
            var value: UInt32 = 0
            for byte in content[index..<index + width] { value = value << 8 | UInt32(byte) }
            guard let scalar = Unicode.Scalar(value) else { return nil }
            result.append(scalar)
            index += width
        }
        return String(result)
    }
}
