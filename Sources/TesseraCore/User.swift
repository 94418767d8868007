import Foundation

/// A person who signs in at a tenant and lets apps act on their behalf.
public struct User: Sendable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case active
        case disabled
    }

    public let tenantID: UUID
    public let id: UUID
    public var username: String
    /// A bcrypt (`$2b$…`) or scrypt (`$scrypt$…`) hash; the plain password is never kept.
    public var passwordHash: String
    public var status: Status
    /// What the person may administer at the tenant, sorted, without repeats.
    public var roles: [AdminRole] = []
    /// Bumped on every change: the admin API's ETag.
    public var version: Int
    public let createdAt: Date
    public var updatedAt: Date

    public init(
        tenantID: UUID, id: UUID = UUID(), username: String, passwordHash: String, status: Status = .active,
        version: Int = 1, createdAt: Date, updatedAt: Date? = nil
    ) {
        self.version = version
        self.tenantID = tenantID
        self.id = id
        self.username = username
        self.passwordHash = passwordHash
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
    }

    /// Usernames compare case-insensitively, so they are kept lowercased: `Alice` and `alice`
    /// cannot be two accounts, and login finds the account whatever the case typed.
    public static let usernameLength = 1...254
    /// NIST SP 800-63B §5.1.1.2's minimum, in Unicode code points.
    public static let minimumPasswordLength = 8

    public static func normalizeUsername(_ name: String) throws(ValidationError) -> String {
        let normalized = name.trimmingCharacters(in: .whitespaces).precomposedStringWithCanonicalMapping.lowercased()
        guard Self.usernameLength.contains(normalized.count),
            !normalized.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw ValidationError(field: "username", "a username is 1 to 254 characters without control characters")
        }
        return normalized
    }

    /// NIST SP 800-63B §5.1.1.2: length is what matters, at least 8 characters. bcrypt reads
    /// only the first 72 bytes, so longer passwords are refused rather than silently truncated.
    public static func validatePassword(_ password: String) throws(ValidationError) {
        // Counted in Unicode code points, as the admin API's JSON Schema (`minLength`) counts.
        guard password.unicodeScalars.count >= Self.minimumPasswordLength else {
            throw ValidationError(field: "password", "a password has at least 8 characters")
        }
        guard password.utf8.count <= 72 else {
            throw ValidationError(field: "password", "a password has at most 72 bytes (bcrypt reads no more)")
        }
    }
}
