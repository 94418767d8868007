import Foundation
import Hummingbird
import Logging
import TesseraCore
import TesseraOAuth

/// The two cookies of a tenant's pages, both scoped to the tenant's path so one tenant's pages
/// never receive another's: `tessera_session` (the sealed login session) and `tessera_browser`
/// (a random id the CSRF tokens are bound to). `HttpOnly`, `SameSite=Lax` (sent on the top-level
/// redirect from the app, never on a cross-site POST), `Secure` when the public URL is https.
struct BrowserCookies {
    static let session = "tessera_session"
    static let browser = "tessera_browser"
    /// A sign-in at an upstream provider in progress (sealed state, nonce, PKCE verifier).
    static let upstream = "tessera_upstream"

    let path: String
    let secure: Bool

    init(issuer: String, publicURL: PublicURL) {
        path = URLComponents(string: issuer)?.path ?? "/"
        secure = publicURL.isHTTPS
    }

    func session(_ value: String, maxAge: Int) -> Cookie {
        Cookie(
            name: Self.session, value: value, maxAge: maxAge, path: path, secure: secure, httpOnly: true, sameSite: .lax
        )
    }

    func clearedSession() -> Cookie {
        Cookie(name: Self.session, value: "", maxAge: 0, path: path, secure: secure, httpOnly: true, sameSite: .lax)
    }

    /// `SameSite=Lax`: the upstream's redirect back is a top-level GET, on which Lax cookies go.
    func upstream(_ value: String, maxAge: Int) -> Cookie {
        Cookie(
            name: Self.upstream, value: value, maxAge: maxAge, path: path, secure: secure, httpOnly: true,
            sameSite: .lax)
    }

    func clearedUpstream() -> Cookie {
        Cookie(name: Self.upstream, value: "", maxAge: 0, path: path, secure: secure, httpOnly: true, sameSite: .lax)
    }

    func browser(_ value: String) -> Cookie {
        Cookie(
            name: Self.browser, value: value, maxAge: 400 * 86_400, path: path, secure: secure, httpOnly: true,
            sameSite: .lax)
    }
}

/// What the cookies of one request say, opened.
struct BrowserState {
    let browserID: String?
    /// The cookie's session as sealed, before its server-side record was consulted: what a new
    /// sign-in in this browser replaces or renews, and what a sign-out ends.
    let cookieSession: LoginSession?
    /// The cookie opened only with an accepted master key: the page answering sets it again,
    /// sealed with the sealing key, so the sign-in outlives that key.
    let sessionNeedsResealing: Bool
    let tenant: TenantContext
    let sessions: SessionService
    let logger: Logger

    init(_ request: Request, tenant: TenantContext, sealer: BrowserSealer, sessions: SessionService, logger: Logger) {
        let cookies = request.cookies
        browserID = cookies[BrowserCookies.browser]?.value.nilIfEmpty
        let opened = cookies[BrowserCookies.session].flatMap {
            sealer.openNotingKey($0.value, as: LoginSession.self, purpose: .session, tenantID: tenant.id)
        }.flatMap { $0.value.expiresAt > Date() ? $0 : nil }
        cookieSession = opened?.value
        sessionNeedsResealing = opened?.sealedWithAnAcceptedKey ?? false
        self.tenant = tenant
        self.sessions = sessions
        self.logger = logger
    }

    /// The signed-in session: the cookie's, while its server-side record is active (one
    /// primary-key read). Ended elsewhere, or sealed before sessions had records: nobody. A
    /// database that does not answer reads as signed out here, logged; the sign-in that follows
    /// then meets the outage itself and says so.
    var session: LoginSession? {
        get async {
            guard let cookieSession else { return nil }
            do {
                return try await sessions.active(cookieSession, tenant: tenant)
            } catch {
                logger.error("Reading the sign-in session failed", metadata: ["error": "\(error)"])
                return nil
            }
        }
    }
}

extension String {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}
