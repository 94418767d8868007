import Foundation
import TesseraCore

/// Who is signed in at a tenant in this browser, and since when. It lives only in a sealed,
/// tenant-scoped cookie: any instance can read it, none stores it.
public struct LoginSession: Codable, Sendable, Equatable {
    public let userID: UUID
    /// When the user last entered their password: OIDC `auth_time`, checked against `max_age`.
    public let authTime: Date
    public let expiresAt: Date
    /// How the user signed in (RFC 8176), for `amr`; empty in cookies sealed before it existed.
    public let methods: [AuthenticationMethod]

    public init(userID: UUID, authTime: Date, expiresAt: Date, methods: [AuthenticationMethod] = [.password]) {
        self.userID = userID
        self.authTime = authTime
        self.expiresAt = expiresAt
        self.methods = methods
    }

    enum CodingKeys: String, CodingKey {
        case userID = "u"
        case authTime = "a"
        case expiresAt = "e"
        case methods = "m"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            userID: try container.decode(UUID.self, forKey: .userID),
            authTime: try container.decode(Date.self, forKey: .authTime),
            expiresAt: try container.decode(Date.self, forKey: .expiresAt),
            methods: try container.decodeIfPresent([AuthenticationMethod].self, forKey: .methods) ?? [])
    }
}
