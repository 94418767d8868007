import Foundation
import TesseraCore

extension ClientAuthenticator {
    /// Compared against when the client is unknown or holds no secret, so that every attempt
    /// costs one SHA-256 and one constant-time comparison and the time taken does not say
    /// whether the client exists. Its preimage is random and thrown away.
    static let dummySecretHash = SecretHash(of: RandomToken.generate())

    /// `client_secret_basic` and `client_secret_post` (RFC 6749 §2.3.1). The secret is compared
    /// with its stored SHA-256 in constant time (`SecretHash.matches`).
    func authenticateSecret(
        tenantID: UUID, clientID: String, secret: String, method: ClientAuthMethod
    )
        async throws(OAuthError) -> AuthenticatedClient
    {
        let usedBasic = method == .clientSecretBasic
        let client = try await lookUp(tenantID: tenantID, clientID: clientID)
        let secretMatches = (client?.secretHash ?? Self.dummySecretHash).matches(secret)
        guard let client, client.secretHash != nil, secretMatches else {
            throw .invalidClient(Self.failureDescription, clientUsedBasicScheme: usedBasic)
        }
        // The caller holds this client's secret: it may learn why it is still refused.
        guard client.status == .active else {
            throw .invalidClient("the client is disabled", clientUsedBasicScheme: usedBasic)
        }
        guard client.authMethod == method else {
            throw .invalidClient(
                "the client is registered for \(client.authMethod.rawValue), not \(method.rawValue)",
                clientUsedBasicScheme: usedBasic)
        }
        return AuthenticatedClient(client: client, method: method)
    }
}
