import Foundation
import TesseraCore
import TesseraJOSE
import TesseraStore

/// Checks the query of the authorization endpoint in the order RFC 6749 §4.1.2.1 requires: an
/// unknown client or an unregistered redirect URI is told to the user and never redirected to
/// (that would make us an open redirector); every other error goes back to the client.
public struct AuthorizationRequestValidator: Sendable {
    let clients: any ClientDirectory
    let pushed: any PushedRequestStore
    /// Parsed client key sets, for request objects' signatures.
    let keys: ClientKeyCache
    /// Clients named by their metadata document's URL; nil: none are.
    let documents: MetadataDocumentResolver?
    let clock: @Sendable () -> Date

    public init(
        clients: any ClientDirectory, pushed: any PushedRequestStore, documents: MetadataDocumentResolver? = nil,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.clients = clients
        self.documents = documents
        self.pushed = pushed
        self.keys = ClientKeyCache()
        self.clock = clock
    }

    public enum Outcome: Sendable {
        case valid(AuthorizationRequest, Client)
        /// Shown to the user: the client or redirect URI cannot be trusted.
        case untrusted(String)
        /// Sent back to the client's redirect URI.
        case redirectError(OAuthError, redirectURI: String, state: String?)
    }

    /// Where a request's parameters came from, for the rules that demand one (RFC 9126 §5,
    /// RFC 9101 §10.5).
    enum Source: Sendable, Equatable {
        case query
        /// A signed request object (RFC 9101 §5.1 `request`).
        case requestObject
        /// A `request_uri` from the PAR endpoint, which checked the request when it was pushed.
        case pushed
    }

    public func validate(query text: String, tenant: TenantContext) async throws -> Outcome {
        let query: FormParameters
        do throws(OAuthError) {
            query = try FormParameters(body: text)
        } catch {
            return .untrusted(error.description ?? "The request is malformed.")
        }
        return try await validate(parameters: query, tenant: tenant)
    }

    /// The request's parameters as sent, by query (GET) or form body (POST, OIDC Core §3.1.2.1).
    public func validate(parameters query: FormParameters, tenant: TenantContext) async throws -> Outcome {
        guard let clientID = query["client_id"] else {
            return .untrusted("The request does not name an application (client_id is missing).")
        }
        var found = try await clients.client(tenantID: tenant.id, id: clientID)
        if let documents {
            do {
                found = try await documents.client(tenant: tenant, id: clientID, stored: found)
            } catch .unavailable {
                throw MetadataDocumentFailure.unavailable
            } catch {
                // Draft §5.1: a document that cannot be used stops the request here, with no
                // redirect (its redirect URIs are not known to be the client's).
                return .untrusted("The application that sent you here cannot be used: \(error.description).")
            }
        }
        guard let client = found, client.status == .active
        else {
            return .untrusted("The application that sent you here is not registered with this service.")
        }
        let parameters: FormParameters
        let source: Source
        do throws(OAuthError) {
            (parameters, source) = try await resolve(query, client: client, tenant: tenant)
        } catch {
            // The request is not known, but a redirect URI the query names and the client
            // registered is safe to answer at (OIDC Core §3.1.2.6); without one the person is told.
            if let redirectURI = query["redirect_uri"], client.redirectURIs.contains(where: { $0.matches(redirectURI) })
            {
                return .redirectError(error, redirectURI: redirectURI, state: query["state"])
            }
            return .untrusted(
                "The application's request cannot be used (\(error.code.rawValue)): \(error.description ?? "").")
        }
        guard let redirectURI = Self.redirectURI(parameters["redirect_uri"], client: client) else {
            return .untrusted(
                parameters["redirect_uri"] == nil
                    ? "The application must say where to send you back (redirect_uri is missing)."
                    : "The application asked to send you to an address it has not registered.")
        }
        let state = parameters["state"]
        do {
            try Self.checkSource(source, of: ClientPolicy(client, at: tenant), atPushEndpoint: false)
            return .valid(
                try Self.check(
                    parameters, client: client, redirectURI: redirectURI, issuer: tenant.issuer,
                    resources: tenant.tenant.resources), client)
        } catch {
            return .redirectError(error, redirectURI: redirectURI, state: state)
        }
    }

    /// The request's own parameters: those pushed earlier (RFC 9126 §4), those of a request
    /// object (RFC 9101 §5, never mixed with the query's), or the query's.
    func resolve(
        _ query: FormParameters, client: Client, tenant: TenantContext
    ) async throws(OAuthError) -> (FormParameters, Source) {
        if let uri = query["request_uri"] {
            guard !query.contains("request") else { throw .invalidRequest("send request or request_uri, not both") }
            guard uri.hasPrefix(PushedRequest.uriPrefix) else {
                throw OAuthError(
                    .requestURINotSupported, "only request_uri values from the pushed authorization request endpoint")
            }
            let taken: PushedRequest?
            do {
                taken = try await pushed.takePushedRequest(
                    tenantID: tenant.id, handleHash: SecretHash(of: uri), clientID: client.id, at: clock())
            } catch {
                throw .temporarilyUnavailable("the pushed request could not be read")
            }
            guard let taken else {
                throw .invalidRequestURI("the request_uri is unknown, expired, already used or another client's")
            }
            return (try FormParameters(body: taken.parameters), .pushed)
        }
        if let object = query["request"] {
            return (try await requestObjectParameters(object, client: client, tenant: tenant), .requestObject)
        }
        return (query, .query)
    }

    /// RFC 9101 §6: the parameters of a request object `client` signed for this tenant.
    func requestObjectParameters(
        _ token: String, client: Client, tenant: TenantContext
    ) async throws(OAuthError) -> FormParameters {
        let keys = await keys.keys(of: client, jwks: client.jwks ?? "")
        return try RequestObject.verify(
            token, client: client, keys: keys, issuer: tenant.issuer,
            algorithms: tenant.proofAlgorithms, now: clock()
        ).parameters
    }

    /// RFC 9126 §5 and §6, RFC 9101 §10.5: a client (or tenant) that requires pushed or signed
    /// requests gets no other kind. The PAR endpoint asks for the signature only; what it
    /// accepts becomes a pushed request that needs no second look.
    static func checkSource(_ source: Source, of policy: ClientPolicy, atPushEndpoint: Bool) throws(OAuthError) {
        if !atPushEndpoint, policy.requiresPushedRequests, source != .pushed {
            throw .invalidRequest(
                "authorization requests of this client are pushed to the PAR endpoint first (RFC 9126); "
                    + "send only client_id and request_uri")
        }
        if policy.requiresSignedRequestObject, source == .query {
            throw .invalidRequest("authorization requests of this client are signed request objects (RFC 9101)")
        }
    }

    /// RFC 6749 §3.1.2.3: without `redirect_uri`, only a client with exactly one registered URI
    /// (and not a loopback one, whose port must be given) has an unambiguous answer.
    static func redirectURI(_ requested: String?, client: Client) -> String? {
        guard let requested else {
            guard client.redirectURIs.count == 1, let only = client.redirectURIs.first, !only.isLoopbackIPLiteral
            else { return nil }
            return only.rawValue
        }
        return client.redirectURIs.contains { $0.matches(requested) } ? requested : nil
    }

    static func check(
        _ parameters: FormParameters, client: Client, redirectURI: String, issuer: String,
        resources: [ProtectedResource]
    ) throws(OAuthError) -> AuthorizationRequest {
        guard let responseType = parameters["response_type"] else {
            throw .invalidRequest("response_type is required")
        }
        guard responseType == "code" else {
            throw .unsupportedResponseType("only response_type=code is supported (OAuth 2.1)")
        }
        if let mode = parameters["response_mode"], mode != "query" {
            throw .invalidRequest("only response_mode=query is supported")
        }
        guard client.grantTypes.contains(.authorizationCode) else {
            throw .unauthorizedClient("the client is not allowed the authorization_code grant")
        }
        guard let challenge = parameters["code_challenge"] else {
            throw .invalidRequest("code_challenge is required: PKCE with S256 (RFC 7636)")
        }
        guard parameters["code_challenge_method"] == "S256" else {
            throw .invalidRequest("code_challenge_method must be S256; plain is not accepted")
        }
        guard PKCE.isValidChallenge(challenge) else {
            throw .invalidRequest("code_challenge must be the base64url SHA-256 of the verifier (43 characters)")
        }
        // A registered resource named here brings the scopes it accepts (INTERFACE.md): an MCP
        // client that registered itself for one resource steps up to the scopes of another.
        let resourceScopes = ScopePolicy.resourceScopes(requested: parameters.values("resource"), registered: resources)
        let scope = try ScopePolicy.grant(requested: parameters["scope"], allowed: client.scopes.union(resourceScopes))
        let audience =
            parameters.values("resource").isEmpty
            ? []
            : try AudiencePolicy.audience(
                requested: parameters.values("resource"), client: client, issuer: issuer, resources: resources)
        var prompts = Set<AuthorizationRequest.Prompt>()
        for value in (parameters["prompt"] ?? "").split(separator: " ") {
            // OIDC Core §3.1.2.1: unknown values such as select_account need no action here.
            if let prompt = AuthorizationRequest.Prompt(rawValue: String(value)) { prompts.insert(prompt) }
        }
        if prompts.contains(.none), prompts.count > 1 {
            throw .invalidRequest("prompt=none cannot be combined with other prompt values")
        }
        var maxAge: Int?
        if let text = parameters["max_age"] {
            guard let value = Int(text), value >= 0 else { throw .invalidRequest("max_age must be a whole number") }
            maxAge = value
        }
        let state = parameters["state"]
        if let state, state.utf8.count > 2_048 { throw .invalidRequest("state is longer than 2048 bytes") }
        let nonce = parameters["nonce"]
        if let nonce, nonce.utf8.count > 512 { throw .invalidRequest("nonce is longer than 512 bytes") }
        // RFC 9449 §10: the thumbprint of the DPoP key the code will be redeemed with.
        let dpopJKT = parameters["dpop_jkt"]
        if let dpopJKT, !Self.isThumbprint(dpopJKT) {
            throw .invalidRequest("dpop_jkt must be the base64url SHA-256 thumbprint of a JWK (RFC 7638)")
        }
        var request = AuthorizationRequest(
            clientID: client.id, redirectURI: redirectURI, scope: scope, state: state, codeChallenge: challenge,
            nonce: nonce, audience: audience, prompts: prompts, maxAge: maxAge, dpopJKT: dpopJKT)
        request.requestedContext = AuthenticationContext.requested(parameters["acr_values"])
        if let required = client.requirements.requiredContext, request.requestedContext != .twoFactors {
            request.requestedContext = required == .twoFactors ? .twoFactors : request.requestedContext ?? required
        }
        return request
    }

    /// 43 base64url characters: the unpadded encoding of 32 bytes.
    static func isThumbprint(_ text: String) -> Bool {
        (try? Base64URL.decode(text))?.count == 32
    }
}
