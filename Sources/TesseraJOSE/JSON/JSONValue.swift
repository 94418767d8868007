/// The one JSON value type of the server: what `JSONReader` reads, and what an answer passes
/// through unchanged (audit details in the admin API).
public indirect enum JSONValue: Sendable, Equatable {
    case string(String)
    /// A number written without fraction or exponent, of up to 18 digits.
    case integer(Int)
    /// Any other number.
    case number(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object(JSONObject)
}

/// A JSON object's members in document order (names are unique: `JSONReader` refuses repeats).
/// Claims objects have a dozen members, so a linear search beats hashing every name.
public struct JSONObject: Sendable, Equatable {
    public let members: [(String, JSONValue)]

    public init(members: [(String, JSONValue)]) { self.members = members }

    public static let empty = JSONObject(members: [])

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    /// The member's value; nil when absent (a `null` member is `.null`, not nil).
    public subscript(_ name: String) -> JSONValue? {
        for (key, value) in members where key == name { return value }
        return nil
    }

    /// What `decode(String.self, forKey:)` accepts: present, a string.
    public func string(_ name: String) throws(JSONReader.Failure) -> String {
        guard let value = try optionalString(name) else { throw JSONReader.Failure(reason: "\(name) missing") }
        return value
    }

    /// What `decodeIfPresent(String.self, forKey:)` accepts: absent or null is nil; any other
    /// type is refused.
    public func optionalString(_ name: String) throws(JSONReader.Failure) -> String? {
        switch self[name] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        default: throw JSONReader.Failure(reason: "\(name) is not a string")
        }
    }

    /// What `decode(Int.self, forKey:)` accepts: a number with an exact integer value.
    public func integer(_ name: String) throws(JSONReader.Failure) -> Int {
        guard let value = try optionalInteger(name) else { throw JSONReader.Failure(reason: "\(name) missing") }
        return value
    }

    public func optionalInteger(_ name: String) throws(JSONReader.Failure) -> Int? {
        switch self[name] {
        case nil, .null?: return nil
        case .integer(let value)?: return value
        case .number(let value)?:
            guard let exact = Int(exactly: value) else { throw JSONReader.Failure(reason: "\(name) is not an integer") }
            return exact
        default: throw JSONReader.Failure(reason: "\(name) is not a number")
        }
    }

    /// What `decodeIfPresent(Double.self, forKey:)` accepts (NumericDates may have fractions).
    public func optionalNumber(_ name: String) throws(JSONReader.Failure) -> Double? {
        switch self[name] {
        case nil, .null?: return nil
        case .integer(let value)?: return Double(value)
        case .number(let value)?: return value
        default: throw JSONReader.Failure(reason: "\(name) is not a number")
        }
    }

    /// A nested object member; absent or null is nil.
    public func optionalObject(_ name: String) throws(JSONReader.Failure) -> JSONObject? {
        switch self[name] {
        case nil, .null?: return nil
        case .object(let value)?: return value
        default: throw JSONReader.Failure(reason: "\(name) is not an object")
        }
    }
}

// Writing a value read earlier back out, member for member, through any `Encoder`.
extension JSONValue: Encodable {
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .object(let object): try object.encode(to: encoder)
        case .array(let values):
            var container = encoder.unkeyedContainer()
            for value in values { try container.encode(value) }
        default:
            var container = encoder.singleValueContainer()
            switch self {
            case .string(let value): try container.encode(value)
            case .integer(let value): try container.encode(value)
            case .number(let value): try container.encode(value)
            case .bool(let value): try container.encode(value)
            default: try container.encodeNil()
            }
        }
    }
}

extension JSONObject: Encodable {
    private struct Name: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { return nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Name.self)
        for (name, value) in members { try container.encode(value, forKey: Name(stringValue: name)) }
    }
}
