import Foundation
import TesseraCore
import TesseraJOSE
import TesseraStore

/// RFC 9126: a client pushes its authorization request here, authenticated as at the token
/// endpoint, and gets a `request_uri` to send the browser with instead. Nothing of the request
/// then travels through the browser, where it could be read or changed, and it is checked
/// before any person sees a page.
public struct PushedAuthorizationEndpoint: Sendable {
    let store: any PushedRequestStore
    let validator: AuthorizationRequestValidator
    let authenticator: ClientAuthenticator
    let rateLimit: ClientRateLimit
    let dpop: DPoPVerifier
    let clock: @Sendable () -> Date

    /// §2.2 `expires_in`: one minute, enough to send a browser on its way.
    public static let lifetime = 60

    /// Parameters of client authentication (RFC 6749 §2.3.1, RFC 7521 §4.2): not part of the
    /// request that is kept.
    static let authenticationParameters: Set<String> = ["client_secret", "client_assertion", "client_assertion_type"]

    public init(
        store: any Store, clients: any ClientDirectory, authenticator: ClientAuthenticator,
        rateLimit: ClientRateLimit, dpop: DPoPVerifier, clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.validator = AuthorizationRequestValidator(clients: clients, pushed: store, clock: clock)
        self.authenticator = authenticator
        self.rateLimit = rateLimit
        self.dpop = dpop
        self.clock = clock
    }

    /// §2.2: the answer, sent with 201 Created.
    public struct Response: Sendable, Equatable, CompactJSONEncodable {
        public let requestURI: String
        public let expiresIn: Int

        public var compactJSON: [UInt8] {
            var writer = JSONWriter()
            writer.string("request_uri", requestURI)
            writer.number("expires_in", expiresIn)
            return writer.finished()
        }
    }

    /// §2.3 errors are the token endpoint's: `invalid_client`, `invalid_request` and the
    /// authorization endpoint's codes, as JSON; never a redirect.
    public func handle(_ request: TokenRequest) async throws(OAuthError) -> Response {
        let tenant = request.tenant
        let endpoint = tenant.issuer + AuthorizationServerMetadata.Path.pushedAuthorizationRequest
        let client = try await request.authenticateClient(
            with: authenticator, rateLimit: rateLimit, allowPublic: true, endpoint: endpoint
        ).client
        // §2.1: "The request_uri authorization request parameter ... MUST NOT be provided".
        guard !request.form.contains("request_uri") else {
            throw .invalidRequest("request_uri cannot be pushed (RFC 9126 §2.1)")
        }
        var parameters = request.form.removing(Self.authenticationParameters)
        var source = AuthorizationRequestValidator.Source.query
        if let object = parameters["request"] {
            // §3: with a request object, its claims are the request, and nothing beside it.
            parameters = try await validator.requestObjectParameters(object, client: client, tenant: tenant)
            source = .requestObject
        }
        if let named = parameters["client_id"], named != client.id {
            throw .invalidRequest("client_id is not the authenticated client")
        }
        guard let redirectURI = AuthorizationRequestValidator.redirectURI(parameters["redirect_uri"], client: client)
        else {
            throw .invalidRequest(
                parameters["redirect_uri"] == nil
                    ? "redirect_uri is required" : "redirect_uri is not registered for this client")
        }
        try AuthorizationRequestValidator.checkSource(
            source, of: ClientPolicy(client, at: tenant), atPushEndpoint: true)
        _ = try AuthorizationRequestValidator.check(
            parameters, client: client, redirectURI: redirectURI, issuer: tenant.issuer,
            resources: tenant.tenant.resources)
        // RFC 9449 §10.1: a proof here binds the code to its key, as dpop_jkt would.
        if !request.dpopProofs.isEmpty {
            let proof = try await dpop.verify(
                request.dpopProofs, for: .init(method: "POST", url: endpoint), tenant: tenant)
            if let named = parameters["dpop_jkt"], named != proof.jkt {
                throw .invalidDPoPProof("dpop_jkt is not the thumbprint of the proof's key")
            }
            parameters = parameters.setting("dpop_jkt", to: proof.jkt)
        }
        let uri = PushedRequest.generateURI()
        let now = clock()
        do {
            try await store.insertPushedRequest(
                PushedRequest(
                    tenantID: tenant.id, handleHash: SecretHash(of: uri), clientID: client.id,
                    parameters: parameters.setting("client_id", to: client.id).formEncoded,
                    expiresAt: now.addingTimeInterval(TimeInterval(Self.lifetime))))
        } catch {
            throw .temporarilyUnavailable("the request could not be stored; retry")
        }
        return Response(requestURI: uri, expiresIn: Self.lifetime)
    }
}
