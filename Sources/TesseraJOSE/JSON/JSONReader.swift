/// Reads the small JSON objects of a JWS: the JOSE header and the claims. Foundation's
/// `JSONDecoder` cost more per introspection than the ECDSA verification's own overhead (generic
/// `Decodable` machinery, metadata lookups, boxing); this reads the bytes once into plain values.
///
/// Strict RFC 8259: one object at the top, nothing after it but whitespace, no comments, no
/// trailing commas, no leading zeros, strings valid UTF-8 with control characters escaped and
/// no lone surrogate escapes. Stricter than `JSONDecoder` on purpose in two places: a member
/// name twice in one object is refused (RFC 7515 §4 lets a JWS parser refuse them, and it
/// closes the door on "which duplicate wins" confusion), and nesting deeper than
/// `maximumDepth` or objects wider than `maximumMembers` are refused (no Tessera token comes
/// near; the header is read before the signature is checked, so it is hostile input).
public enum JSONReader {
    public static let maximumDepth = 16
    public static let maximumMembers = 256

    /// Why a document was refused; deliberately without detail (callers answer "malformed").
    public struct Failure: Error, Equatable, Sendable {
        public let reason: String

        public init(reason: String) { self.reason = reason }
    }

    /// The top-level object of `bytes`.
    public static func object(_ bytes: some Collection<UInt8>) throws(Failure) -> JSONObject {
        let array = Array(bytes)
        let result: Result<JSONObject, Failure> = array.withUnsafeBufferPointer { buffer in
            var parser = Parser(bytes: buffer)
            do throws(Failure) {
                parser.skipWhitespace()
                guard parser.peek() == UInt8(ascii: "{") else { throw Failure(reason: "not an object") }
                let object = try parser.parseObject(depth: 0)
                parser.skipWhitespace()
                guard parser.atEnd else { throw Failure(reason: "content after the object") }
                return .success(object)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        var atEnd: Bool { index >= bytes.count }

        func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func expect(_ byte: UInt8) throws(Failure) {
            guard peek() == byte else { throw Failure(reason: "expected \(Character(Unicode.Scalar(byte)))") }
            index += 1
        }

        mutating func parseValue(depth: Int) throws(Failure) -> JSONValue {
            guard depth < JSONReader.maximumDepth else { throw Failure(reason: "nested too deeply") }
            guard let byte = peek() else { throw Failure(reason: "missing value") }
            switch byte {
            case UInt8(ascii: "{"): return .object(try parseObject(depth: depth + 1))
            case UInt8(ascii: "["): return .array(try parseArray(depth: depth + 1))
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "t"):
                try literal("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try literal("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try literal("null")
                return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
            default: throw Failure(reason: "not a value")
            }
        }

        mutating func literal(_ word: StaticString) throws(Failure) {
            let count = word.utf8CodeUnitCount
            guard bytes.count - index >= count else { throw Failure(reason: "truncated literal") }
            let matches = word.withUTF8Buffer { expected in
                (0..<count).allSatisfy { bytes[index + $0] == expected[$0] }
            }
            guard matches else { throw Failure(reason: "unknown literal") }
            index += count
        }

        mutating func parseObject(depth: Int) throws(Failure) -> JSONObject {
            try expect(UInt8(ascii: "{"))
            var members: [(String, JSONValue)] = []
            skipWhitespace()
            if peek() == UInt8(ascii: "}") {
                index += 1
                return JSONObject(members: members)
            }
            while true {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else { throw Failure(reason: "member name is not a string") }
                let name = try parseString()
                for (existing, _) in members where existing == name {
                    throw Failure(reason: "member name repeated")
                }
                guard members.count < JSONReader.maximumMembers else { throw Failure(reason: "too many members") }
                skipWhitespace()
                try expect(UInt8(ascii: ":"))
                skipWhitespace()
                members.append((name, try parseValue(depth: depth)))
                skipWhitespace()
                switch peek() {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "}"):
                    index += 1
                    return JSONObject(members: members)
                default: throw Failure(reason: "expected , or }")
                }
            }
        }

        mutating func parseArray(depth: Int) throws(Failure) -> [JSONValue] {
            try expect(UInt8(ascii: "["))
            var elements: [JSONValue] = []
            skipWhitespace()
            if peek() == UInt8(ascii: "]") {
                index += 1
                return elements
            }
            while true {
                skipWhitespace()
                elements.append(try parseValue(depth: depth))
                skipWhitespace()
                switch peek() {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "]"):
                    index += 1
                    return elements
                default: throw Failure(reason: "expected , or ]")
                }
            }
        }

        /// RFC 8259 §7. Unescaped runs are validated as UTF-8 in one go.
        mutating func parseString() throws(Failure) -> String {
            try expect(UInt8(ascii: "\""))
            let start = index
            // Fast path: no escapes.
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    guard
                        let string = String(
                            validating: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                    else { throw Failure(reason: "string is not UTF-8") }
                    index += 1
                    return string
                }
                if byte == UInt8(ascii: "\\") { break }
                guard byte >= 0x20 else { throw Failure(reason: "control character in string") }
                index += 1
            }
            var decoded = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    guard let string = String(validating: decoded, as: UTF8.self) else {
                        throw Failure(reason: "string is not UTF-8")
                    }
                    index += 1
                    return string
                case UInt8(ascii: "\\"):
                    index += 1
                    try parseEscape(into: &decoded)
                case 0x00..<0x20:
                    throw Failure(reason: "control character in string")
                default:
                    decoded.append(byte)
                    index += 1
                }
            }
            throw Failure(reason: "unterminated string")
        }

        mutating func parseEscape(into decoded: inout [UInt8]) throws(Failure) {
            guard let escaped = peek() else { throw Failure(reason: "unterminated escape") }
            index += 1
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escaped)
            case UInt8(ascii: "b"): decoded.append(0x08)
            case UInt8(ascii: "f"): decoded.append(0x0C)
            case UInt8(ascii: "n"): decoded.append(0x0A)
            case UInt8(ascii: "r"): decoded.append(0x0D)
            case UInt8(ascii: "t"): decoded.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = UInt32(try hex4())
                if (0xD800..<0xDC00).contains(scalar) {
                    // A high surrogate must be followed by an escaped low one (RFC 8259 §7).
                    guard bytes.count - index >= 2, bytes[index] == UInt8(ascii: "\\"),
                        bytes[index + 1] == UInt8(ascii: "u")
                    else { throw Failure(reason: "lone surrogate") }
                    index += 2
                    let low = UInt32(try hex4())
                    guard (0xDC00..<0xE000).contains(low) else { throw Failure(reason: "lone surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(scalar) {
                    throw Failure(reason: "lone surrogate")
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw Failure(reason: "not a scalar") }
                decoded.append(contentsOf: String(unicode).utf8)
            default:
                throw Failure(reason: "unknown escape")
            }
        }

        mutating func hex4() throws(Failure) -> UInt16 {
            guard bytes.count - index >= 4 else { throw Failure(reason: "truncated \\u escape") }
            var value: UInt16 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw Failure(reason: "bad \\u escape")
                }
                value = value << 4 | UInt16(digit)
                index += 1
            }
            return value
        }

        /// RFC 8259 §6. Integers of up to 18 digits are read exactly; anything else goes through
        /// `Double` (as `JSONDecoder` does).
        mutating func parseNumber() throws(Failure) -> JSONValue {
            let start = index
            let negative = peek() == UInt8(ascii: "-")
            if negative { index += 1 }
            let digitsStart = index
            guard let first = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
                throw Failure(reason: "number without digits")
            }
            if first == UInt8(ascii: "0") {
                index += 1
            } else {
                skipDigits()
            }
            let integerDigits = index - digitsStart
            var isInteger = true
            if peek() == UInt8(ascii: ".") {
                isInteger = false
                index += 1
                guard skipDigits() > 0 else { throw Failure(reason: "fraction without digits") }
            }
            if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
                isInteger = false
                index += 1
                if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
                guard skipDigits() > 0 else { throw Failure(reason: "exponent without digits") }
            }
            if isInteger, integerDigits <= 18 {
                var value = 0
                for position in digitsStart..<index { value = value * 10 + Int(bytes[position] - UInt8(ascii: "0")) }
                return .integer(negative ? -value : value)
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            guard let value = Double(text), value.isFinite else { throw Failure(reason: "number out of range") }
            return .number(value)
        }

        @discardableResult
        mutating func skipDigits() -> Int {
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - start
        }
    }
}

/// A payload that reads itself from a parsed object, so verification decodes claims without
/// `JSONDecoder`. Conformers must accept and refuse exactly what their `Decodable` does (tests
/// compare the two).
public protocol CompactJSONDecodable {
    init(compactJSON object: JSONObject) throws(JSONReader.Failure)
}
