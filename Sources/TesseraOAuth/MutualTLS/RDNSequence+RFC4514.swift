extension RDNSequence {
    /// Why a string is not an RFC 4514 distinguished name.
    public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        public let reason: String
        public var description: String { "not an RFC 4514 distinguished name: \(reason)" }
    }

    /// Parses an RFC 4514 §3 string: `CN=device-1,O=Acme`.
    ///
    /// Beyond the strict grammar it accepts what people write (§4 lets an implementation
    /// recognise more): spaces around `,`, `+` and `=` and at either end of an unescaped value
    /// are dropped (`cn=device-1, o=Acme`). Attribute types are registered short names, in any
    /// case, or dotted OIDs; a type Tessera cannot map to an OID is refused, since it could never
    /// be compared with a certificate. Values are unescaped: `\,` and the other specials, and
    /// `\XX` hex pairs that together spell UTF-8; `#hex` values are kept as their BER bytes.
    /// The empty string is the empty name.
    public init(rfc4514 text: String) throws(ParseError) {
        var parser = Parser(Array(text.utf8))
        self.init(rdns: try parser.distinguishedName())
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index == bytes.count }
        var current: UInt8? { atEnd ? nil : bytes[index] }

        mutating func skipSpaces() {
            while current == UInt8(ascii: " ") { index += 1 }
        }

        mutating func distinguishedName() throws(ParseError) -> [[Attribute]] {
            skipSpaces()
            guard !atEnd else { return [] }
            var rdns: [[Attribute]] = []
            while true {
                rdns.append(try relativeDistinguishedName())
                guard let separator = current else { return rdns }
                guard separator == UInt8(ascii: ",") else {
                    throw ParseError(reason: "expected ',' between relative distinguished names")
                }
                index += 1
            }
        }

        mutating func relativeDistinguishedName() throws(ParseError) -> [Attribute] {
            var attributes: [Attribute] = []
            while true {
                attributes.append(try attributeTypeAndValue())
                guard current == UInt8(ascii: "+") else { return attributes }
                index += 1
            }
        }

        mutating func attributeTypeAndValue() throws(ParseError) -> Attribute {
            skipSpaces()
            let start = index
            while let byte = current, byte != UInt8(ascii: "="), byte != UInt8(ascii: " "),
                byte != UInt8(ascii: ","), byte != UInt8(ascii: "+")
            {
                index += 1
            }
            let name = String(decoding: bytes[start..<index], as: UTF8.self)
            guard !name.isEmpty else { throw ParseError(reason: "an attribute type is missing") }
            let isDescriptor = name.first.map { $0.isASCII && $0.isLetter } ?? false
            guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }),
                let type = AttributeType(name: Substring(name))
            else {
                throw ParseError(
                    reason: isDescriptor ? "unknown attribute type '\(name)'" : "'\(name)' is not an attribute type")
            }
            skipSpaces()
            guard current == UInt8(ascii: "=") else { throw ParseError(reason: "expected '=' after '\(name)'") }
            index += 1
            skipSpaces()
            return Attribute(type: type, value: current == UInt8(ascii: "#") ? try hexValue() : try stringValue())
        }

        /// `#` followed by hex pairs: the BER encoding of the value (RFC 4514 §2.4, §3).
        mutating func hexValue() throws(ParseError) -> Value {
            index += 1
            var der: [UInt8] = []
            while let high = current.flatMap(Self.hexDigit) {
                guard index + 1 < bytes.count, let low = Self.hexDigit(bytes[index + 1]) else {
                    throw ParseError(reason: "a #hex value has an odd number of digits")
                }
                der.append(high << 4 | low)
                index += 2
            }
            skipSpaces()
            guard !der.isEmpty, atEnd || current == UInt8(ascii: ",") || current == UInt8(ascii: "+") else {
                throw ParseError(reason: "a #hex value must be hex digit pairs")
            }
            return .encoded(der)
        }

        /// An escaped string (RFC 4514 §3 `string`), up to an unescaped `,` or `+`.
        mutating func stringValue() throws(ParseError) -> Value {
            var value: [UInt8] = []
            // Spaces after the last escaped or non-space character are not part of the value.
            var significantLength = 0
            while let byte = current, byte != UInt8(ascii: ","), byte != UInt8(ascii: "+") {
                switch byte {
                case UInt8(ascii: "\\"):
                    index += 1
                    guard let next = current else { throw ParseError(reason: "a value ends in a lone '\\'") }
                    if let high = Self.hexDigit(next) {
                        guard index + 1 < bytes.count, let low = Self.hexDigit(bytes[index + 1]) else {
                            throw ParseError(reason: "'\\' must be followed by a special character or two hex digits")
                        }
                        value.append(high << 4 | low)
                        index += 2
                    } else if Self.escapable.contains(next) {
                        value.append(next)
                        index += 1
                    } else {
                        throw ParseError(reason: "'\\' must be followed by a special character or two hex digits")
                    }
                    significantLength = value.count
                case UInt8(ascii: "\""), UInt8(ascii: ";"), UInt8(ascii: "<"), UInt8(ascii: ">"), 0:
                    throw ParseError(reason: "'\(Character(Unicode.Scalar(byte)))' in a value must be escaped")
                default:
                    value.append(byte)
                    index += 1
                    if byte != UInt8(ascii: " ") { significantLength = value.count }
                }
            }
            guard let text = String(validating: value[..<significantLength], as: UTF8.self) else {
                throw ParseError(reason: "a value is not UTF-8")
            }
            return .text(text)
        }

        /// RFC 4514 §3 `special`: what may follow `\` as itself.
        static let escapable: Set<UInt8> = Set("\"+,;<>\\ #=".utf8)

        static func hexDigit(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }
    }
}
