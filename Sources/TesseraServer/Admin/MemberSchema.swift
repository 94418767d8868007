import Foundation

/// The JSON Schema (2020-12, as OpenAPI 3.1 uses it) of one member of an admin API body or
/// representation. Bounds come from the domain's own constants, so the document and the rules
/// cannot drift apart.
indirect enum MemberSchema: Sendable {
    case string(length: ClosedRange<Int>? = nil, pattern: String? = nil, values: [String]? = nil)
    case integer(ClosedRange<Int>? = nil)
    case boolean
    case dateTime
    case array(MemberSchema)
    case reference(String)
    /// Any JSON object (audit details pass through as they were recorded).
    case anyObject
    case described(MemberSchema, String)

    static let text = MemberSchema.string()
    static let strings = MemberSchema.array(.text)

    var json: [String: Any] {
        switch self {
        case .string(let length, let pattern, let values):
            var schema: [String: Any] = ["type": "string"]
            if let length, length.lowerBound > 0 { schema["minLength"] = length.lowerBound }
            if let length, length.upperBound < Int.max { schema["maxLength"] = length.upperBound }
            if let pattern { schema["pattern"] = pattern }
            if let values { schema["enum"] = values }
            return schema
        case .integer(let range):
            var schema: [String: Any] = ["type": "integer"]
            if let range {
                schema["minimum"] = range.lowerBound
                schema["maximum"] = range.upperBound
            }
            return schema
        case .boolean: return ["type": "boolean"]
        case .dateTime: return ["type": "string", "format": "date-time"]
        case .array(let items): return ["type": "array", "items": items.json]
        case .reference(let name): return ["$ref": "#/components/schemas/\(name)"]
        case .anyObject: return ["type": "object"]
        case .described(let schema, let description):
            var json = schema.json
            json["description"] = description
            return json
        }
    }
}

/// A coding key that also declares its member's schema: the one declaration the type's Codable
/// conformance and its OpenAPI schema both come from.
protocol SchemaKey: CodingKey, CaseIterable {
    var schema: MemberSchema { get }
    /// Members the JSON must carry (a non-optional property; a test decodes without each).
    var isRequired: Bool { get }
    /// Optional members of a representation are left out when absent; those for which this is
    /// true are declared `null`-able too.
    var isNullableOutput: Bool { get }
}

/// A body or representation of the admin API, described by its coding keys.
protocol AdminSchema {
    associatedtype Keys: SchemaKey
    /// The name under `components.schemas`.
    static var schemaName: String { get }
}

extension AdminSchema {
    static var required: [String] { Keys.allCases.filter(\.isRequired).map(\.stringValue) }

    /// `{"type":"object","properties":…,"required":…}`; for a request body (`nullable`), its
    /// optional members may also be `null`, which reads as "not given".
    static func objectSchema(nullable: Bool) -> [String: Any] {
        var properties: [String: Any] = [:]
        for key in Keys.allCases {
            var member = key.schema.json
            if nullable, !key.isRequired, let type = member["type"] as? String {
                member["type"] = [type, "null"]
                if let values = member["enum"] as? [Any] { member["enum"] = values + [NSNull()] }
            } else if !nullable, !key.isRequired, key.isNullableOutput, let type = member["type"] as? String {
                member["type"] = [type, "null"]
            }
            properties[key.stringValue] = member
        }
        return ["type": "object", "properties": properties, "required": required]
    }
}

extension SchemaKey {
    var isNullableOutput: Bool { false }
}

/// What the admin API reads.
protocol AdminBody: AdminSchema, Decodable {}
/// What the admin API writes.
protocol AdminRepresentation: AdminSchema, Encodable {}
