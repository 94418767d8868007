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
    /// Takes each DPoP proof once, across instances, with the tenant's nonce rule (RFC 9449 §5).
    let dpop: DPoPVerifier
    /// When self-registered clients were last given a token (their purge reads it).
    let usage: ClientUseRecorder?

    public init(
        handlers: [any GrantHandler], authenticator: ClientAuthenticator, rateLimit: ClientRateLimit,
        dpop: DPoPVerifier, usage: ClientUseRecorder? = nil
    ) {
        self.handlers = Dictionary(handlers.map { ($0.grantType, $0) }, uniquingKeysWith: { first, _ in first })
        self.authenticator = authenticator
        self.rateLimit = rateLimit
        self.dpop = dpop
        self.usage = usage
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
        let policy = ClientPolicy(client.client, at: request.tenant)
        if !request.dpopProofs.isEmpty {
            // RFC 9449 §5: checked (§4.3) and accepted once; its key is what the tokens get bound to.
            request.proof = try await dpop.verify(
                request.dpopProofs, for: .init(method: "POST", url: request.tokenEndpoint), tenant: request.tenant)
        } else if policy.bindsToCertificate, request.certificate != nil {
            // RFC 8705 §3: bound to the certificate of this mutual-TLS connection.
            request.certificateBound = true
        } else if policy.bindsToCertificate {
            throw .invalidRequest(
                "this client's access tokens are bound to its TLS client certificate, and none was presented")
        } else if policy.requiresDPoP {
            // RFC 9449 §5.2: a client registered with dpop_bound_access_tokens gets no bearer
            // token; neither does any client of a FAPI 2.0 tenant (§5.3.2.1 item 2).
            throw .invalidDPoPProof("this client's access tokens are DPoP-bound: send a DPoP proof")
        }
        let response = try await handler.handle(request, client: client)
        // Checked here too, so an administrator's client (every client-credentials call on the
        // hot path, nearly) never waits on the recorder's actor.
        if client.client.origin != .admin { await usage?.used(client.client) }
        return response
    }

    /// RFC 9449 §8.2: the nonce for the answer's `DPoP-Nonce` header when the tenant requires
    /// nonces, so clients follow its rotation without a failed request.
    public func dpopNonce(for tenant: TenantContext) -> String? { dpop.currentNonce(for: tenant) }
}
