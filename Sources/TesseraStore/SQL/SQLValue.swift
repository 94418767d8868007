import Foundation

/// A bind or a cell, in the few types Tessera stores. Each backend maps these to its own
/// column types (uuid/TEXT, timestamptz/INTEGER ms, bytea/BLOB), so the store's SQL is written
/// once for both.
enum SQLValue: Sendable, Equatable {
    case text(String)
    case int(Int)
    case bool(Bool)
    case uuid(UUID)
    case date(Date)
    case bytes([UInt8])
    case null
}

/// One result row, read by column name. Accessors accept both backends' representations of a
/// type (a UUID as uuid or as TEXT; a date as timestamptz or as INTEGER milliseconds).
struct SQLRow: Sendable {
    let values: [String: SQLValue]

    private func value(_ column: String) throws -> SQLValue {
        guard let value = values[column] else { throw StoreError.corrupt("missing column \(column)") }
        return value
    }

    private func mismatch(_ column: String, _ type: String) -> StoreError {
        .corrupt("column \(column) is not a \(type)")
    }

    func optionalString(_ column: String) throws -> String? {
        switch try value(column) {
        case .null: return nil
        case .text(let text): return text
        default: throw mismatch(column, "text")
        }
    }

    func string(_ column: String) throws -> String {
        guard let text = try optionalString(column) else { throw mismatch(column, "non-null text") }
        return text
    }

    func optionalInt(_ column: String) throws -> Int? {
        switch try value(column) {
        case .null: return nil
        case .int(let number): return number
        default: throw mismatch(column, "integer")
        }
    }

    func int(_ column: String) throws -> Int {
        guard let number = try optionalInt(column) else { throw mismatch(column, "non-null integer") }
        return number
    }

    func bool(_ column: String) throws -> Bool {
        switch try value(column) {
        case .bool(let flag): return flag
        case .int(let number): return number != 0
        default: throw mismatch(column, "boolean")
        }
    }

    func optionalUUID(_ column: String) throws -> UUID? {
        switch try value(column) {
        case .null: return nil
        case .uuid(let id): return id
        case .text(let text):
            guard let id = UUID(uuidString: text) else { throw mismatch(column, "UUID") }
            return id
        default: throw mismatch(column, "UUID")
        }
    }

    func uuid(_ column: String) throws -> UUID {
        guard let id = try optionalUUID(column) else { throw mismatch(column, "non-null UUID") }
        return id
    }

    func optionalDate(_ column: String) throws -> Date? {
        switch try value(column) {
        case .null: return nil
        case .date(let date): return date
        case .int(let milliseconds): return Date(timeIntervalSince1970: Double(milliseconds) / 1_000)
        default: throw mismatch(column, "timestamp")
        }
    }

    func date(_ column: String) throws -> Date {
        guard let date = try optionalDate(column) else { throw mismatch(column, "non-null timestamp") }
        return date
    }

    func optionalBytes(_ column: String) throws -> [UInt8]? {
        switch try value(column) {
        case .null: return nil
        case .bytes(let bytes): return bytes
        default: throw mismatch(column, "byte string")
        }
    }

    func bytes(_ column: String) throws -> [UInt8] {
        guard let bytes = try optionalBytes(column) else { throw mismatch(column, "non-null byte string") }
        return bytes
    }

    /// JSON-encoded columns (lists, settings) decode through one path with one error.
    func json<T: Decodable>(_ type: T.Type, _ column: String) throws -> T {
        let text = try string(column)
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw StoreError.corrupt("column \(column) holds invalid JSON for \(T.self)")
        }
    }
}

enum SQLJSON {
    static func encode<T: Encodable>(_ value: T) -> SQLValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding Tessera's own plain value types cannot fail; an empty document would be caught
        // on read as corrupt rather than crash a request here.
        let data = (try? encoder.encode(value)) ?? Data()
        return .text(String(decoding: data, as: UTF8.self))
    }
}
