import Foundation
import TesseraCore

/// Who is signed in at a tenant in this browser, and since when, in a sealed, tenant-scoped
/// cookie any instance can read. `sid` names the session's server-side record
/// (`SessionRecord`), which must still be active for the cookie to count: a cookie sealed
/// before sessions had records carries none and counts as signed out (docs/sessions.md).
public struct LoginSession: Codable, Sendable, Equatable {
    public let userID: UUID
    /// When the user last entered their password: OIDC `auth_time`, checked against `max_age`.
    public let authTime: Date
    public let expiresAt: Date
    /// How the user signed in (RFC 8176), for `amr`; empty in cookies sealed before it existed.
    public let methods: [AuthenticationMethod]
    /// The server-side session (OIDC Back-Channel Logout 1.0 §2.1 `sid`); nil in old cookies.
    public let sid: String?

    public init(
        userID: UUID, authTime: Date, expiresAt: Date, methods: [AuthenticationMethod] = [.password],
        sid: String? = nil
    ) {
        self.sid = sid
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
        case sid = "s"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            userID: try container.decode(UUID.self, forKey: .userID),
            authTime: try container.decode(Date.self, forKey: .authTime),
            expiresAt: try container.decode(Date.self, forKey: .expiresAt),
            methods: try container.decodeIfPresent([AuthenticationMethod].self, forKey: .methods) ?? [],
            sid: try container.decodeIfPresent(String.self, forKey: .sid))
    }
}
