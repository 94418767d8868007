import Foundation

/// A user's registered WebAuthn credential (a passkey or security key), as stored: the public
/// key as the authenticator encoded it, and what later assertions are checked against.
public struct Passkey: Sendable, Equatable {
    public let tenantID: UUID
    public let userID: UUID
    /// The credential id the authenticator chose (WebAuthn L3 §4): at most 1023 bytes.
    public let credentialID: [UInt8]
    /// The COSE_Key bytes of the registration's attested credential data.
    public let publicKey: [UInt8]
    /// The COSE algorithm of the key (-7 ES256, -8 EdDSA, -257 RS256).
    public let algorithm: Int
    /// The highest signature counter seen; 0 for authenticators that keep none.
    public var signCount: Int64
    /// Whether the credential may be synced (BE): fixed at registration, checked ever after.
    public let backupEligible: Bool
    /// Whether it was synced at its last use (BS).
    public var backedUp: Bool
    /// What the browser said about how to reach the authenticator (`usb`, `internal`, …).
    public let transports: [String]
    public let aaguid: [UInt8]
    /// The user's own label for it, shown on the account page.
    public let name: String
    public let createdAt: Date
    public var lastUsedAt: Date?

    public init(
        tenantID: UUID, userID: UUID, credentialID: [UInt8], publicKey: [UInt8], algorithm: Int, signCount: Int64,
        backupEligible: Bool, backedUp: Bool, transports: [String], aaguid: [UInt8], name: String, createdAt: Date,
        lastUsedAt: Date? = nil
    ) {
        self.tenantID = tenantID
        self.userID = userID
        self.credentialID = credentialID
        self.publicKey = publicKey
        self.algorithm = algorithm
        self.signCount = signCount
        self.backupEligible = backupEligible
        self.backedUp = backedUp
        self.transports = transports
        self.aaguid = aaguid
        self.name = name
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
    }
}
