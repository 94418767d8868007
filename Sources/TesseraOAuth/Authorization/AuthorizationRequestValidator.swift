import Foundation
import TesseraCore

/// Checks the query of the authorization endpoint in the order RFC 6749 §4.1.2.1 requires: an
/// unknown client or an unregistered redirect URI is told to the user and never redirected to
/// (that would make us an open redirector); every other error goes back to the client.
public struct AuthorizationRequestValidator: Sendable {
    let clients: any ClientDirectory

    public init(clients: any ClientDirectory) { self.clients = clients }

    public enum Outcome: Sendable {
        case valid(AuthorizationRequest, Client)
        /// Shown to the user: the client or redirect URI cannot be trusted.
        case untrusted(String)
        /// Sent back to the client's redirect URI.
        case redirectError(OAuthError, redirectURI: String, state: String?)
    }

    public func validate(query: String, tenant: TenantContext) async throws -> Outcome {
        let parameters: FormParameters
        do {
            parameters = try FormParameters(body: query)
        } catch {
            return .untrusted(error.description ?? "The request is malformed.")
        }
        guard let clientID = parameters["client_id"] else {
            return .untrusted("The request does not name an application (client_id is missing).")
        }
        guard let client = try await clients.client(tenantID: tenant.id, id: clientID), client.status == .active
        else {
            return .untrusted("The application that sent you here is not registered with this service.")
        }
        guard let redirectURI = Self.redirectURI(parameters["redirect_uri"], client: client) else {
            return .untrusted(
                parameters["redirect_uri"] == nil
                    ? "The application must say where to send you back (redirect_uri is missing)."
                    : "The application asked to send you to an address it has not registered.")
        }
        let state = parameters["state"]
        do {
            return .valid(
                try Self.check(parameters, client: client, redirectURI: redirectURI, issuer: tenant.issuer), client)
        } catch {
            return .redirectError(error, redirectURI: redirectURI, state: state)
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
        _ parameters: FormParameters, client: Client, redirectURI: String, issuer: String
    ) throws(OAuthError) -> AuthorizationRequest {
        // OIDC Core §6: request objects are not supported; saying so beats ignoring them.
        if parameters.contains("request") { throw OAuthError(.invalidRequest, "request objects are not supported") }
        if parameters.contains("request_uri") { throw OAuthError(.invalidRequest, "request_uri is not supported") }
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
        let scope = try ScopePolicy.grant(requested: parameters["scope"], allowed: client.scopes)
        let audience =
            parameters.values("resource").isEmpty
            ? [] : try AudiencePolicy.audience(requested: parameters.values("resource"), client: client, issuer: issuer)
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
        return AuthorizationRequest(
            clientID: client.id, redirectURI: redirectURI, scope: scope, state: state, codeChallenge: challenge,
            nonce: nonce, audience: audience, prompts: prompts, maxAge: maxAge)
    }
}
