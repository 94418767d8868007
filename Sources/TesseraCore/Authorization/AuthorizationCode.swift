import Foundation

/// An authorization code as stored: the hash of the value handed out, and everything the token
/// request must match (RFC 6749 §4.1.3, RFC 7636 §4.6).
public struct AuthorizationCode: Sendable, Equatable {
    public let tenantID: UUID
    public let codeHash: SecretHash
    public let clientID: String
    public let userID: UUID
    public let redirectURI: String
    public let scopes: ScopeSet
    /// RFC 8707 resources the token may name; empty means the client's default.
    public let audience: [String]
    public let codeChallenge: String
    public let nonce: String?
    public let authTime: Date
    public let createdAt: Date
    public let expiresAt: Date
    public var usedAt: Date?
    /// What the first redemption issued, so a replay can revoke it (RFC 6749 §4.1.2).
    public var familyID: UUID?
    public var issuedJTI: String?
    /// RFC 9449 §10: the thumbprint of the DPoP key the authorization request named; the code is
    /// then redeemed only with a proof by that key.
    public let dpopJKT: String?
    /// RFC 8176 `amr` of the sign-in the code followed (`AuthenticationMethod.claim`).
    public let authenticationMethods: [String]
    /// OIDC Core §2 `acr` met, when the request asked for one (`acr_values`).
    public let authenticationContext: String?
    /// The sign-in session (`sid`) the code was issued in; nil for codes of older sessions.
    public var sessionID: String?

    public init(
        tenantID: UUID, codeHash: SecretHash, clientID: String, userID: UUID, redirectURI: String, scopes: ScopeSet,
        audience: [String], codeChallenge: String, nonce: String?, authTime: Date, createdAt: Date, expiresAt: Date,
        usedAt: Date? = nil, familyID: UUID? = nil, issuedJTI: String? = nil, dpopJKT: String? = nil,
        authenticationMethods: [String] = [], authenticationContext: String? = nil
    ) {
        self.authenticationContext = authenticationContext
        self.authenticationMethods = authenticationMethods
        self.tenantID = tenantID
        self.codeHash = codeHash
        self.clientID = clientID
        self.userID = userID
        self.redirectURI = redirectURI
        self.scopes = scopes
        self.audience = audience
        self.codeChallenge = codeChallenge
        self.nonce = nonce
        self.authTime = authTime
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
        self.familyID = familyID
        self.issuedJTI = issuedJTI
        self.dpopJKT = dpopJKT
    }
}

/// The outcome of trying to use a single-use credential (code or refresh token) once.
public enum Redemption<Record: Sendable>: Sendable {
    /// This caller won: the record is now marked used.
    case redeemed(Record)
    /// It was used before: a replay, whose consequences the caller carries out.
    case alreadyUsed(Record)
    /// Unknown, expired, revoked or bound to another client: all look alike to the caller.
    case invalid
}
