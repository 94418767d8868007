import Foundation

/// One back-channel logout token still to be delivered (OIDC Back-Channel Logout 1.0 §2.5): a
/// row of the outbox, written in the transaction that ended the session and worked off by a
/// background job. The token itself is signed at each attempt (its `exp` is short); its `jti`
/// stays the same, so a client that received an earlier attempt can tell it is a repeat.
public struct LogoutDelivery: Sendable, Equatable {
    public let tenantID: UUID
    public let id: UUID
    public let clientID: String
    /// The client's `backchannel_logout_uri` when the session ended.
    public let uri: String
    public let sid: String
    /// The `sub` of the ID tokens the client received: the user id.
    public let subject: String
    public let jti: String
    public let createdAt: Date
    /// Attempts made so far (counted when an attempt is claimed).
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastError: String?

    public init(
        tenantID: UUID, id: UUID = UUID(), clientID: String, uri: String, sid: String, subject: String,
        jti: String = RandomToken.generate(bytes: 16), createdAt: Date, attempts: Int = 0, nextAttemptAt: Date,
        lastError: String? = nil
    ) {
        self.tenantID = tenantID
        self.id = id
        self.clientID = clientID
        self.uri = uri
        self.sid = sid
        self.subject = subject
        self.jti = jti
        self.createdAt = createdAt
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
    }
}
