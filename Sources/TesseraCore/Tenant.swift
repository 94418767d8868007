import Foundation

/// The URL-safe name of a tenant, `[a-z0-9][a-z0-9-]{0,62}`: it becomes part of the issuer URL.
public struct TenantSlug: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let rawValue: String

    /// The tenant whose administrators create the other tenants; it always exists.
    public static let system = TenantSlug(trusted: "system")

    /// What `init` accepts, as a regular expression (for documents such as the admin API's).
    public static let pattern = "^[a-z0-9][a-z0-9-]{0,62}$"

    public init(_ value: String) throws(ValidationError) {
        guard let first = value.utf8.first, value.utf8.count <= 63,
            Self.isLowerAlphanumeric(first),
            value.utf8.allSatisfy({ Self.isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") })
        else {
            throw ValidationError(
                field: "slug",
                "'\(value)' is not a valid tenant slug: use 1 to 63 characters of a-z, 0-9 and '-', starting with a letter or digit"
            )
        }
        self.rawValue = value
    }

    private init(trusted: String) { self.rawValue = trusted }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        self = try TenantSlug(raw)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// One independent issuer: its users, clients, scopes and keys belong to it alone.
public struct Tenant: Sendable, Equatable, Identifiable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case active
        case disabled
    }

    public let id: UUID
    public var slug: TenantSlug
    public var name: String
    public var status: Status
    public var settings: TenantSettings
    /// The APIs and MCP servers registered as protected resources (`tessera resource create`).
    public var resources: [ProtectedResource] = []
    /// Counts the tenant's changes, for optimistic concurrency (ETag / If-Match).
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID = UUID(), slug: TenantSlug, name: String, status: Status = .active,
        settings: TenantSettings = TenantSettings(), version: Int = 1, createdAt: Date, updatedAt: Date? = nil
    ) {
        self.id = id
        self.slug = slug
        self.name = name
        self.status = status
        self.settings = settings
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }

    /// A tenant's display name: one line, at most 200 characters.
    /// Characters of a display name (tenants and clients).
    public static let nameLength = 1...200

    public static func validateName(_ name: String) throws(ValidationError) -> String {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard Self.nameLength.contains(trimmed.count), !trimmed.contains(where: \.isNewline) else {
            throw ValidationError(field: "name", "a name is one line of 1 to 200 characters")
        }
        return trimmed
    }
}

/// The base URL every tenant issuer hangs off, as configured by `--public-url`.
public struct PublicURL: Sendable, Hashable, CustomStringConvertible {
    /// Without a trailing slash, so `issuer(for:)` is a plain concatenation.
    public let rawValue: String
    public let isHTTPS: Bool

    public init(_ value: String) throws(ValidationError) {
        var trimmed = value
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let components = URLComponents(string: trimmed),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty,
            components.query == nil, components.fragment == nil
        else {
            throw ValidationError(
                field: "public-url",
                "'\(value)' is not an http(s) URL without query or fragment, such as https://auth.example.com")
        }
        self.rawValue = trimmed
        self.isHTTPS = scheme == "https"
    }

    /// RFC 8414 §2: the issuer is an https URL (http for local development) with no query or fragment.
    public func issuer(for slug: TenantSlug) -> String { "\(rawValue)/t/\(slug.rawValue)" }

    public var description: String { rawValue }
}
