import Foundation

/// Who is signed in at a tenant in this browser, and since when. It lives only in a sealed,
/// tenant-scoped cookie: any instance can read it, none stores it.
public struct LoginSession: Codable, Sendable, Equatable {
    public let userID: UUID
    /// When the user last entered their password: OIDC `auth_time`, checked against `max_age`.
    public let authTime: Date
    public let expiresAt: Date

    public init(userID: UUID, authTime: Date, expiresAt: Date) {
        self.userID = userID
        self.authTime = authTime
        self.expiresAt = expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case userID = "u"
        case authTime = "a"
        case expiresAt = "e"
    }
}
