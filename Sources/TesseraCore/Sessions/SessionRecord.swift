import Foundation

/// The server-side record of one sign-in in one browser (OIDC Front-/Back-Channel Logout 1.0
/// §2 "session"). The browser's sealed cookie names it by `sid`; a cookie whose record is ended
/// or gone signs nobody in, which is what makes "sign out of that other browser" work.
public struct SessionRecord: Sendable, Equatable {
    public let tenantID: UUID
    /// Back-Channel Logout §2.1 `sid`: 256 random bits, base64url; unguessable, and useless
    /// without the sealed cookie that carries it.
    public let sid: String
    public let userID: UUID
    public let createdAt: Date
    /// When the user last proved who they are in this session: OIDC `auth_time`.
    public var authTime: Date
    public var expiresAt: Date
    public var endedAt: Date?
    /// RFC 8176 methods of the latest authentication.
    public var methods: [AuthenticationMethod]
    /// A short description of the browser ("Firefox on Linux") for the account page's list.
    public let browser: String

    public init(
        tenantID: UUID, sid: String, userID: UUID, createdAt: Date, authTime: Date, expiresAt: Date,
        endedAt: Date? = nil, methods: [AuthenticationMethod], browser: String
    ) {
        self.tenantID = tenantID
        self.sid = sid
        self.userID = userID
        self.createdAt = createdAt
        self.authTime = authTime
        self.expiresAt = expiresAt
        self.endedAt = endedAt
        self.methods = methods
        self.browser = browser
    }

    /// A fresh session id: 256 bits from the system CSPRNG.
    public static func generateSID() -> String { RandomToken.generate() }

    public func isActive(at date: Date) -> Bool { endedAt == nil && expiresAt > date }
}
