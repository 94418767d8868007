import Foundation

/// An authorization request pushed to the PAR endpoint (RFC 9126 §2): its parameters as checked
/// there, kept under the hash of the `request_uri` the client was given, for that client only.
public struct PushedRequest: Sendable, Equatable {
    public let tenantID: UUID
    public let handleHash: SecretHash
    public let clientID: String
    /// The request's parameters, form-encoded (from a request object's claims when it sent one).
    public let parameters: String
    public let expiresAt: Date

    public init(tenantID: UUID, handleHash: SecretHash, clientID: String, parameters: String, expiresAt: Date) {
        self.tenantID = tenantID
        self.handleHash = handleHash
        self.clientID = clientID
        self.parameters = parameters
        self.expiresAt = expiresAt
    }

    /// RFC 9126 §2.2: the `request_uri` scheme for references to pushed requests.
    public static let uriPrefix = "urn:ietf:params:oauth:request_uri:"

    /// A fresh `request_uri`: 256 random bits after the prefix (§7.1 asks for at least 128).
    public static func generateURI() -> String { uriPrefix + RandomToken.generate() }
}
