import Foundation
import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraOAuth

/// The account page's "Where you are signed in": the user's active sessions, and forms to sign
/// out of one of them or of every other one. Each ends the sessions on the server, so their
/// cookies stop working at once, and queues the logout tokens the apps they reached are owed
/// (Back-Channel Logout 1.0 §2.5). CSRF-protected like every form of ours.
struct AccountSessionRoutes {
    let flow: AuthorizationFlow
    let browser: BrowserPages

    var sessions: SessionService { browser.sessions }

    func register(on tenant: RouterGroup<TenantRequestContext>) {
        tenant.post(RouterPath(AccountPaths.endSession)) { request, context in
            await signedIn(request, context) { page, session, form in
                guard let sid = form["sid"], !sid.isEmpty else {
                    return page.message("Choose a session to sign out of.", status: .badRequest)
                }
                return try await end([sid], page, session, context)
            }
        }
        tenant.post(RouterPath(AccountPaths.endOtherSessions)) { request, context in
            await signedIn(request, context) { page, session, _ in
                let others = try await sessions.sessions(of: session.userID, tenant: page.tenant).map(\.sid)
                    .filter { $0 != session.sid }
                return try await end(others, page, session, context)
            }
        }
    }

    /// Ends `sids` of the signed-in user (another user's sid ends nothing); back to the account
    /// page, or, when this browser's own session was among them, signed out.
    func end(
        _ sids: [String], _ page: TenantPage, _ session: LoginSession, _ context: TenantRequestContext
    ) async throws -> Response {
        try await sessions.end(
            sids, of: session.userID, tenant: page.tenant, actor: "user:\(session.userID)",
            requestID: context.requestID)
        guard let own = session.sid, sids.contains(own) else {
            return page.respond(.redirect(page.tenant.issuer + AccountPaths.account))
        }
        return page.signedOut(page.message("You are signed out.", status: .ok))
    }

    /// The form checked and its browser signed in, or the page that says why not.
    func signedIn(
        _ request: Request, _ context: TenantRequestContext,
        _ body: (TenantPage, LoginSession, FormParameters) async throws -> Response
    ) async -> Response {
        let page = TenantPage(request, context, browser: browser)
        switch await page.signedInForm(request, flow: flow) {
        case .failure(let refusal): return refusal.response
        case .success(let (session, form)):
            do {
                return try await body(page, session, form)
            } catch {
                context.logger.error("Signing out of sessions failed", metadata: ["error": "\(error)"])
                return page.message(
                    "The service is briefly unavailable. Please try again.", status: .serviceUnavailable)
            }
        }
    }

    /// The template values of the list, for the account page of `session`'s user.
    /// How a session was signed in, in words (the amr values are for machines).
    static func describe(_ methods: [AuthenticationMethod]) -> String {
        let words = methods.compactMap { method -> String? in
            switch method {
            case .password: "password"
            case .oneTimePassword: "authenticator app"
            case .hardwareKey: "passkey"
            case .userPresence, .multipleFactors: nil
            }
        }
        return words.isEmpty ? "an identity provider" : words.joined(separator: " and ")
    }

    static func values(
        _ records: [SessionRecord], current: LoginSession, page: TenantPage
    ) -> [String: Any] {
        let csrf = page.csrfToken
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime]
        return [
            "sessions": records.map { record in
                [
                    "browser": record.browser, "signedInAt": formatter.string(from: record.createdAt) + " UTC",
                    "methods": Self.describe(record.methods),
                    "isCurrent": record.sid == current.sid, "sid": record.sid, "csrfToken": csrf,
                    "endAction": page.tenant.issuer + AccountPaths.endSession,
                ] as [String: Any]
            },
            "hasOtherSessions": records.contains { $0.sid != current.sid },
            "endOthersAction": page.tenant.issuer + AccountPaths.endOtherSessions,
        ]
    }
}
