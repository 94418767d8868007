import Foundation

/// A device authorization (RFC 8628 §3.2) as stored: the hash of the device code the device
/// polls with, the user code a person types, and where the person's decision stands.
public struct DeviceCode: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case pending
        case approved
        case denied
        /// Approved and exchanged for tokens: a device code is redeemed once.
        case redeemed
    }

    public let tenantID: UUID
    public let deviceCodeHash: SecretHash
    public let userCode: String
    public let clientID: String
    public let scopes: ScopeSet
    public let audience: [String]
    public var status: Status
    public var userID: UUID?
    public var authTime: Date?
    /// Seconds the device must wait between polls; grows by 5 at every `slow_down` (§3.5).
    public var intervalSeconds: Int
    public var lastPolledAt: Date?
    public let createdAt: Date
    public let expiresAt: Date

    public init(
        tenantID: UUID, deviceCodeHash: SecretHash, userCode: String, clientID: String, scopes: ScopeSet,
        audience: [String], status: Status = .pending, userID: UUID? = nil, authTime: Date? = nil,
        intervalSeconds: Int, lastPolledAt: Date? = nil, createdAt: Date, expiresAt: Date
    ) {
        self.tenantID = tenantID
        self.deviceCodeHash = deviceCodeHash
        self.userCode = userCode
        self.clientID = clientID
        self.scopes = scopes
        self.audience = audience
        self.status = status
        self.userID = userID
        self.authTime = authTime
        self.intervalSeconds = intervalSeconds
        self.lastPolledAt = lastPolledAt
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
