import Foundation
import TesseraCore
import TesseraJOSE
import TesseraStore

/// RFC 6749 §3.2: authenticates the client, finds the one handler for `grant_type`, checks the
/// client may use it, and lets the handler answer. Adding a grant means registering a handler.
public struct TokenEndpoint: Sendable {
    let handlers: [GrantType: any GrantHandler]
    let authenticator: ClientAuthenticator
    let rateLimit: ClientRateLimit
    /// Where each DPoP proof's `jti` is remembered, across instances (RFC 9449 §11.1).
    let proofs: any DPoPProofStore
    let clock: @Sendable () -> Date

    public init(
        handlers: [any GrantHandler], authenticator: ClientAuthenticator, rateLimit: ClientRateLimit,
        proofs: any DPoPProofStore, clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.handlers = Dictionary(handlers.map { ($0.grantType, $0) }, uniquingKeysWith: { first, _ in first })
        self.authenticator = authenticator
        self.rateLimit = rateLimit
        self.proofs = proofs
        self.clock = clock
    }

    public var supportedGrants: [GrantType] { handlers.keys.sorted() }

    public func handle(_ request: TokenRequest) async throws(OAuthError) -> TokenResponse {
        guard let grantName = request.form["grant_type"] else {
            throw .invalidRequest("grant_type is required")
        }
        guard let grant = GrantType(rawValue: grantName), let handler = handlers[grant] else {
            throw .unsupportedGrantType("grant_type '\(grantName.prefix(100))' is not supported")
        }
        let client = try await request.authenticateClient(
            with: authenticator, rateLimit: rateLimit, allowPublic: handler.allowsPublicClients)
        // RFC 6749 §5.2 unauthorized_client: authenticated, but not registered for this grant.
        guard client.client.grantTypes.contains(grant) else {
            throw .unauthorizedClient("the client is not allowed the \(grant.rawValue) grant")
        }
        var request = request
        if !request.dpopProofs.isEmpty { request.proof = try await checkedProof(request) }
        return try await handler.handle(request, client: client)
    }

    /// RFC 9449 §5: a proof at the token endpoint, checked (§4.3) and accepted once at any
    /// instance; its key is what the tokens get bound to.
    func checkedProof(_ request: TokenRequest) async throws(OAuthError) -> DPoPProof {
        let proof = try await DPoPProof.verify(
            headers: request.dpopProofs, request: .init(method: "POST", url: request.tokenEndpoint), now: clock())
        try await proofs.accept(proof, tenantID: request.tenant.id)
        return proof
    }
}
