import Foundation

/// A user's TOTP factor as stored: the sealed secret, whether it is active, and the last step
/// a code was accepted for.
public struct TOTPFactor: Sendable, Equatable {
    public let tenantID: UUID
    public let userID: UUID
    /// The secret sealed under the master key's TOTP key, bound to tenant and user.
    public let sealedSecret: [UInt8]
    /// Nil until the user proved their app shows the codes; only confirmed factors are asked for.
    public var confirmedAt: Date?
    public var lastStep: Int64?
    public let createdAt: Date

    public init(
        tenantID: UUID, userID: UUID, sealedSecret: [UInt8], confirmedAt: Date?, lastStep: Int64? = nil,
        createdAt: Date
    ) {
        self.tenantID = tenantID
        self.userID = userID
        self.sealedSecret = sealedSecret
        self.confirmedAt = confirmedAt
        self.lastStep = lastStep
        self.createdAt = createdAt
    }
}
