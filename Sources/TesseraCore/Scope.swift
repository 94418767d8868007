import Foundation

/// A permission a client may ask for. Names follow RFC 6749 §3.3 `scope-token`:
/// printable ASCII without space, `"` or `\`.
public struct Scope: Sendable, Equatable {
    public let tenantID: UUID
    public let name: String
    public var description: String
    public let createdAt: Date

    public init(tenantID: UUID, name: String, description: String = "", createdAt: Date) {
        self.tenantID = tenantID
        self.name = name
        self.description = description
        self.createdAt = createdAt
    }

    /// Bytes of a scope name (printable ASCII, so also characters).
    public static let nameLength = 1...128
    public static let descriptionLength = 0...500

    public static func validateName(_ name: String) throws(ValidationError) -> String {
        guard Self.nameLength.contains(name.utf8.count), name.utf8.allSatisfy(isScopeTokenByte) else {
            throw ValidationError(
                field: "scope",
                "'\(name)' is not a valid scope name: use 1 to 128 printable ASCII characters without spaces, quotes or backslashes"
            )
        }
        return name
    }

    /// RFC 6749 §3.3: `%x21 / %x23-5B / %x5D-7E`.
    static func isScopeTokenByte(_ byte: UInt8) -> Bool {
        byte == 0x21 || (0x23...0x5B).contains(byte) || (0x5D...0x7E).contains(byte)
    }

    public static func validateDescription(_ text: String) throws(ValidationError) -> String {
        guard Self.descriptionLength.contains(text.count) else {
            throw ValidationError(field: "description", "at most 500 characters")
        }
        return text
    }
}

/// An unordered set of scope names; its wire form is the RFC 6749 space-separated string,
/// written sorted so equal sets always print the same.
public struct ScopeSet: Sendable, Hashable, Codable, CustomStringConvertible {
    public private(set) var names: Set<String>

    public init<S: Sequence>(_ names: S) where S.Element == String { self.names = Set(names) }

    /// Parses the `scope` parameter. Repeated spaces are tolerated; invalid tokens are not.
    public init(parsing text: String) throws(ValidationError) {
        var names = Set<String>()
        for token in text.split(separator: " ", omittingEmptySubsequences: true) {
            names.insert(try Scope.validateName(String(token)))
        }
        self.names = names
    }

    public var isEmpty: Bool { names.isEmpty }
    public var sorted: [String] { names.sorted() }
    public var description: String { sorted.joined(separator: " ") }

    public func contains(_ name: String) -> Bool { names.contains(name) }
    public func isSubset(of other: ScopeSet) -> Bool { names.isSubset(of: other.names) }
    public func intersection(_ other: ScopeSet) -> ScopeSet { ScopeSet(names.intersection(other.names)) }
    public func subtracting(_ other: ScopeSet) -> ScopeSet { ScopeSet(names.subtracting(other.names)) }
    public func union(_ other: ScopeSet) -> ScopeSet { ScopeSet(names.union(other.names)) }

    public init(from decoder: any Decoder) throws {
        self.names = Set(try decoder.singleValueContainer().decode([String].self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(sorted)
    }
}
