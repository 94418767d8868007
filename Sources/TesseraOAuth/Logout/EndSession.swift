import Foundation
import TesseraCore
import TesseraJOSE

/// OpenID Connect RP-Initiated Logout 1.0: a client sends the user to `end_session_endpoint` to
/// sign out of the tenant, and names where to come back to.
///
/// The rules, in §2 and §3's order: an `id_token_hint` must be an ID token this tenant issued
/// (signature, `iss`, `typ`; an expired one is still a hint, since it is what a client holds
/// when the session has already run out); the client is its `aud`, or `client_id`, and both
/// must agree; a `post_logout_redirect_uri` must be registered for that client exactly, or
/// nobody is redirected (an open redirector otherwise); `state` goes back with it. The user is
/// signed out at once only when the hint names the signed-in user (or nobody is signed in);
/// otherwise they are asked first, since a link alone must not sign anyone out (§2 "SHOULD ask
/// the End-User whether to log out").
public struct EndSession: Sendable {
    let clients: any ClientDirectory
    let sealer: BrowserSealer
    let clock: @Sendable () -> Date

    /// How long past its `exp` an ID token still serves as a hint: the longest session a tenant
    /// may have (`session_ttl` is at most 30 days).
    static let hintLeeway = 30 * 86_400
    /// A confirmation page left open longer starts over.
    static let confirmationLifetime: TimeInterval = 10 * 60

    public init(clients: any ClientDirectory, sealer: BrowserSealer, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.clients = clients
        self.sealer = sealer
        self.clock = clock
    }

    public enum Outcome: Sendable, Equatable {
        /// Sign out now; then redirect there, or say so on a page.
        case signOut(redirect: String?)
        /// Ask first; the sealed state goes in the confirmation form.
        case confirm(pending: String, clientName: String?)
        /// A page that says what was wrong; nobody is redirected.
        case refused(String)
    }

    /// The sealed state of a confirmation page: where to go afterwards.
    struct PendingSignOut: Codable {
        let redirect: String?
        let expiresAt: Date
    }

    public func decide(
        _ parameters: FormParameters, tenant: TenantContext, session: LoginSession?
    ) async -> Outcome {
        var hintedUser: String?
        var clientID = parameters["client_id"]
        if let hint = parameters["id_token_hint"] {
            guard
                let claims = try? tenant.keys.verify(
                    hint, as: IDTokenHint.self, expectedType: "JWT", issuer: tenant.issuer, now: clock(),
                    leeway: Self.hintLeeway)
            else { return .refused("The sign-out request's id_token_hint is not an ID token of this service.") }
            if let clientID, !claims.aud.contains(clientID) {
                return .refused("The sign-out request's client_id is not the ID token's audience.")
            }
            clientID = clientID ?? claims.aud.first
            hintedUser = claims.sub
        }
        var client: Client?
        if let clientID {
            client = try? await clients.client(tenantID: tenant.id, id: clientID)
            guard client?.status == .active else {
                return .refused("The application that sent you here is not registered with this service.")
            }
        }
        var redirect: String?
        if let requested = parameters["post_logout_redirect_uri"] {
            // §3.1: compared exactly; a client is needed to know what it registered.
            guard let client, client.postLogoutRedirectURIs.contains(where: { $0.rawValue == requested }) else {
                return .refused("The application asked to send you to an address it has not registered.")
            }
            redirect = parameters["state"].map { AuthorizationRequest.append([("state", $0)], to: requested) } ?? requested
        }
        let signedIn = session.map { $0.expiresAt > clock() } ?? false
        if !signedIn || (hintedUser != nil && hintedUser == session?.userID.uuidString.lowercased()) {
            return .signOut(redirect: redirect)
        }
        let pending = PendingSignOut(redirect: redirect, expiresAt: clock().addingTimeInterval(Self.confirmationLifetime))
        guard let sealed = sealer.seal(pending, purpose: .signOut, tenantID: tenant.id) else {
            return .refused("The service is briefly unavailable. Please try again in a moment.")
        }
        return .confirm(pending: sealed, clientName: client?.name)
    }

    /// The confirmation form was submitted (CSRF checked): where to go once signed out, or nil
    /// when the form is not one of ours or too old.
    public func confirmed(_ sealed: String?, tenant: TenantContext) -> Outcome {
        guard let sealed, let pending = sealer.open(sealed, as: PendingSignOut.self, purpose: .signOut, tenantID: tenant.id),
            pending.expiresAt > clock()
        else { return .refused("This page has expired. Go back to the application and sign out again.") }
        return .signOut(redirect: pending.redirect)
    }
}

/// What a sign-out reads of an ID token: whose, for which clients (OIDC Core §2).
struct IDTokenHint: CompactJSONDecodable {
    let sub: String
    let aud: [String]

    init(compactJSON object: JSONObject) throws(JSONReader.Failure) {
        sub = try object.string("sub")
        switch object["aud"] {
        case .string(let single)?: aud = [single]
        case .array(let values)?: aud = values.compactMap { if case .string(let text) = $0 { text } else { nil } }
        default: throw JSONReader.Failure(reason: "aud missing")
        }
    }
}
