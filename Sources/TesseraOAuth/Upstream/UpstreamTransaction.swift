import Foundation
import TesseraCore

/// A sign-in at an upstream provider in progress, sealed (`BrowserSealer`, purpose `upstream`)
/// into a short-lived cookie of this browser: nothing is stored on the server, and any instance
/// can take the callback. It binds the answer to this browser and this request: `state`
/// (RFC 6749 §10.12, compared with the callback's), `nonce` (OIDC Core §3.1.2.1, compared with
/// the ID token's), the PKCE verifier (RFC 7636 §4.1, sent only to the token endpoint), the
/// browser id of the CSRF cookie, and the pending interaction that continues afterwards.
struct UpstreamTransaction: Codable, Sendable {
    let pending: PendingInteraction
    let providerID: UUID
    let state: String
    let nonce: String
    let verifier: String
    let browserID: String
    let expiresAt: Date

    /// Long enough to sign in at the upstream, short enough that a stolen cookie soon is worthless.
    static let lifetime: TimeInterval = 10 * 60
}
