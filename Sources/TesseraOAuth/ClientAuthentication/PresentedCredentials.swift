import Foundation
import TesseraCore

/// The one client authentication method a request uses, read from its `Authorization` header
/// and body before any client is looked up.
///
/// RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each
/// request." A request that carries two (a Basic header and a `client_secret`, or a secret and
/// an assertion) is refused as `invalid_request` rather than guessed at.
enum PresentedCredentials: Sendable, Equatable {
    /// `client_secret_basic` or `client_secret_post`.
    case secret(clientID: String, secret: String, method: ClientAuthMethod)
    /// `private_key_jwt`; `clientID` is the optional `client_id` body parameter.
    case assertion(String, clientID: String?)
    /// `none`: a public client naming itself.
    case publicClient(clientID: String)

    /// RFC 7523 §2.2: the `client_assertion_type` of a JWT client assertion.
    static let jwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

    init(_ request: ClientAuthenticationRequest) throws(OAuthError) {
        let form = request.form
        let basic = try BasicCredentials(authorizationHeader: request.authorizationHeader)
        let usesPost = form.contains("client_secret")
        let usesAssertion = form.contains("client_assertion") || form.contains("client_assertion_type")
        let methodCount = [basic != nil, usesPost, usesAssertion].filter { $0 }.count
        guard methodCount <= 1 else {
            throw .invalidRequest("more than one client authentication method was used; use exactly one")
        }
        let formClientID = form["client_id"]

        if let basic {
            // RFC 6749 §2.3.1 does not forbid repeating client_id in the body; if it is there, it
            // must name the client the header authenticates.
            if let formClientID, formClientID != basic.clientID {
                throw .invalidRequest("client_id in the body does not match the client in the Authorization header")
            }
            self = .secret(clientID: basic.clientID, secret: basic.secret, method: .clientSecretBasic)
        } else if usesPost {
            // RFC 6749 §2.3.1: client_secret_post sends both parameters in the body.
            guard let formClientID, let secret = form["client_secret"] else {
                throw .invalidRequest("client_secret needs client_id in the request body")
            }
            self = .secret(clientID: formClientID, secret: secret, method: .clientSecretPost)
        } else if usesAssertion {
            // RFC 7521 §4.2: both parameters, or the request is malformed.
            guard let type = form["client_assertion_type"], let assertion = form["client_assertion"] else {
                throw .invalidRequest("client_assertion and client_assertion_type must be sent together")
            }
            guard type == Self.jwtBearerAssertionType else {
                throw .invalidClient("unsupported client_assertion_type; use \(Self.jwtBearerAssertionType)")
            }
            self = .assertion(assertion, clientID: formClientID)
        } else if let formClientID {
            self = .publicClient(clientID: formClientID)
        } else {
            throw .invalidClient("client authentication is required")
        }
    }
}
