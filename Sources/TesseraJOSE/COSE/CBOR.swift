/// The subset of CBOR (RFC 8949) that WebAuthn puts in front of us: attestation objects, COSE
/// keys and authenticator extensions. Those are CTAP2 canonical CBOR (CTAP 2.1 §8), so the reader
/// is strict where a looser one would let two readers disagree about the same bytes: definite
/// lengths only, no tags, no floating point, no simple values but `false`, `true` and `null`,
/// text that is valid UTF-8, map keys that are integers or text and never repeat, bounded depth
/// and size. Anything else is refused with the offset it was found at, never guessed at.
public indirect enum CBORValue: Sendable, Equatable {
    case unsigned(UInt64)
    /// Major type 1: the value is `-1 - n`, kept as `n` so no value of the encoding overflows.
    case negative(UInt64)
    case bytes([UInt8])
    case text(String)
    case array([CBORValue])
    case map([(CBORValue, CBORValue)])
    case bool(Bool)
    case null

    public static func == (lhs: CBORValue, rhs: CBORValue) -> Bool {
        switch (lhs, rhs) {
        case (.unsigned(let a), .unsigned(let b)), (.negative(let a), .negative(let b)): return a == b
        case (.bytes(let a), .bytes(let b)): return a == b
        case (.text(let a), .text(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.map(let a), .map(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.bool(let a), .bool(let b)): return a == b
        case (.null, .null): return true
        default: return false
        }
    }

    /// The value as a signed integer, when it is one that fits (COSE labels and algorithms).
    public var integer: Int? {
        switch self {
        case .unsigned(let value): return value <= UInt64(Int.max) ? Int(value) : nil
        case .negative(let value): return value < UInt64(Int.max) ? -1 - Int(value) : nil
        default: return nil
        }
    }

    /// The member `key` of a map; nil for anything else or a missing key.
    public subscript(_ key: CBORValue) -> CBORValue? {
        guard case .map(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    public subscript(_ label: Int) -> CBORValue? {
        self[label >= 0 ? .unsigned(UInt64(label)) : .negative(UInt64(-1 - label))]
    }

    public subscript(_ name: String) -> CBORValue? { self[.text(name)] }
}

public enum CBOR {
    /// Deeper than any structure WebAuthn defines (an attestation statement's certificate array
    /// inside a map inside a map), shallow enough that no input can exhaust the stack.
    public static let maximumDepth = 8
    /// Members of one array or map: a COSE key has five, an attestation object three.
    public static let maximumItems = 64

    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        public let reason: String
        public let offset: Int
        public var description: String { "CBOR: \(reason) at byte \(offset)" }
    }

    /// The one item that is all of `bytes`.
    public static func decode(_ bytes: [UInt8]) throws(Failure) -> CBORValue {
        var reader = Reader(bytes: bytes[...])
        let value = try reader.item(depth: 0)
        guard reader.remaining.isEmpty else { throw Failure(reason: "bytes after the item", offset: reader.offset) }
        return value
    }

    /// The first item of `bytes`, and the bytes after it: authenticator data holds a COSE key
    /// followed by the extensions, with no length in front of either.
    public static func decodePrefix(_ bytes: ArraySlice<UInt8>) throws(Failure) -> (CBORValue, ArraySlice<UInt8>) {
        var reader = Reader(bytes: bytes)
        let value = try reader.item(depth: 0)
        return (value, reader.remaining)
    }

    struct Reader {
        var remaining: ArraySlice<UInt8>
        let start: Int

        init(bytes: ArraySlice<UInt8>) {
            remaining = bytes
            start = bytes.startIndex
        }

        var offset: Int { remaining.startIndex - start }

        func fail(_ reason: String) -> Failure { Failure(reason: reason, offset: offset) }

        mutating func byte() throws(Failure) -> UInt8 {
            guard let first = remaining.first else { throw fail("unexpected end") }
            remaining = remaining.dropFirst()
            return first
        }

        mutating func take(_ count: UInt64) throws(Failure) -> [UInt8] {
            // Checked against what is there before anything is allocated: a length field can
            // claim 2^64 bytes.
            guard count <= UInt64(remaining.count) else { throw fail("length beyond the end") }
            let taken = Array(remaining.prefix(Int(count)))
            remaining = remaining.dropFirst(Int(count))
            return taken
        }

        /// The argument of an initial byte (RFC 8949 §3): in the byte itself, or in the 1, 2, 4
        /// or 8 bytes that follow. 28-30 are reserved and 31 means an indefinite length.
        mutating func argument(_ info: UInt8) throws(Failure) -> UInt64 {
            switch info {
            case 0..<24: return UInt64(info)
            case 24...27:
                var value: UInt64 = 0
                for _ in 0..<(1 << (info - 24)) { value = value << 8 | UInt64(try byte()) }
                return value
            case 31: throw fail("indefinite length")
            default: throw fail("reserved additional information \(info)")
            }
        }

        mutating func item(depth: Int) throws(Failure) -> CBORValue {
            guard depth <= CBOR.maximumDepth else { throw fail("nested too deeply") }
            let initial = try byte()
            let major = initial >> 5
            let info = initial & 0x1F
            switch major {
            case 0: return .unsigned(try argument(info))
            case 1: return .negative(try argument(info))
            case 2: return .bytes(try take(try argument(info)))
            case 3:
                let bytes = try take(try argument(info))
                guard let text = String(validating: bytes, as: UTF8.self) else { throw fail("text that is not UTF-8") }
                return .text(text)
            case 4:
                let count = try argument(info)
                guard count <= UInt64(CBOR.maximumItems) else { throw fail("array of \(count) items") }
                var items: [CBORValue] = []
                for _ in 0..<count { items.append(try item(depth: depth + 1)) }
                return .array(items)
            case 5:
                let count = try argument(info)
                guard count <= UInt64(CBOR.maximumItems) else { throw fail("map of \(count) members") }
                var members: [(CBORValue, CBORValue)] = []
                for _ in 0..<count {
                    let keyOffset = offset
                    let key = try item(depth: depth + 1)
                    switch key {
                    case .unsigned, .negative, .text: break
                    default: throw Failure(reason: "map key that is not an integer or text", offset: keyOffset)
                    }
                    guard !members.contains(where: { $0.0 == key }) else {
                        throw Failure(reason: "repeated map key", offset: keyOffset)
                    }
                    members.append((key, try item(depth: depth + 1)))
                }
                return .map(members)
            case 6: throw fail("tag")
            default:
                switch info {
                case 20: return .bool(false)
                case 21: return .bool(true)
                case 22: return .null
                case 25, 26, 27: throw fail("floating-point number")
                default: throw fail("simple value \(info)")
                }
            }
        }
    }
}
