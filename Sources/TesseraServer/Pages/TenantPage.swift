import Foundation
import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraOAuth

/// What every tenant page needs from the server: the sealer of cookies and CSRF tokens, the
/// public URL (cookie flags) and the templates.
struct BrowserPages: Sendable {
    let sealer: BrowserSealer
    let publicURL: PublicURL
    let pages: PageRenderer
    /// The server-side records the session cookie must name (`BrowserState.session`).
    let sessions: SessionService
}

/// One request to a tenant's HTML pages: its tenant, cookies and CSRF token, and how each
/// `InteractionStep` is drawn.
struct TenantPage {
    let tenant: TenantContext
    let state: BrowserState
    let cookies: BrowserCookies
    let pages: PageRenderer
    let sealer: BrowserSealer
    /// The browser id to bind CSRF tokens to: the cookie's, or a new one set with the response.
    let browserID: String
    let isNewBrowser: Bool
    /// What a sign-in on this page needs to know of the browser: its session cookie, its User-Agent.
    let signInBrowser: SignInBrowser

    init(_ request: Request, _ context: TenantRequestContext, browser: BrowserPages) {
        tenant = context.tenant
        sealer = browser.sealer
        state = BrowserState(
            request, tenant: tenant, sealer: sealer, sessions: browser.sessions, logger: context.logger)
        cookies = BrowserCookies(issuer: tenant.issuer, publicURL: browser.publicURL)
        pages = browser.pages
        browserID = state.browserID ?? RandomToken.generate()
        isNewBrowser = state.browserID == nil
        signInBrowser = SignInBrowser(previous: state.cookieSession, userAgent: request.headers[.userAgent])
    }

    var csrfToken: String { sealer.csrfToken(browserID: browserID, tenantID: tenant.id) }

    /// The form of a page POST, once its CSRF token matches this browser's cookie; otherwise the
    /// page that says what to do. A cross-site POST carries no cookie (SameSite=Lax) and fails here.
    func checkedForm(_ request: Request) async -> Result<FormParameters, PageRefusal> {
        let form: FormParameters
        do {
            form = try await FormBody.read(request)
        } catch {
            return .failure(PageRefusal(response: message("This form could not be read.", status: .badRequest)))
        }
        guard !isNewBrowser, sealer.verifyCSRF(form["csrf_token"], browserID: state.browserID, tenantID: tenant.id)
        else {
            return .failure(
                PageRefusal(
                    response: message(
                        "This page has expired or your browser blocked our cookies. Go back to the application and start again.",
                        status: .forbidden)))
        }
        return .success(form)
    }

    func respond(_ step: InteractionStep) -> Response {
        finished(draw(step), settingSession: false)
    }

    private func draw(_ step: InteractionStep) -> Response {
        var response: Response
        switch step {
        case .errorPage(let status, let text):
            response = message(text, status: HTTPResponse.Status(code: status))
        case .redirect(let location):
            // RFC 9700 §4.12: 303, so a POSTed password is never re-sent to the client.
            response = Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
        case .login(let prompt):
            var values: [String: Any] = [
                "title": "Sign in", "action": tenant.issuer + AccountPaths.login, "csrfToken": csrfToken,
                "pending": prompt.pending,
            ]
            values["clientName"] = prompt.clientName
            values["error"] = prompt.error
            values["passkeyOptions"] = prompt.passkeyOptions
            values["passkeyAction"] = tenant.issuer + AccountPaths.passkeySignIn
            if !prompt.providers.isEmpty {
                values["providers"] = prompt.providers.map { ["slug": $0.slug, "name": $0.name] }
                values["upstreamAction"] = tenant.issuer + AccountPaths.upstreamStart
            }
            response = pages.render(
                .login, values, tenant: tenant.tenant, status: HTTPResponse.Status(code: prompt.status))
        case .secondFactor(let prompt):
            var values: [String: Any] = [
                "title": "Enter your code", "action": tenant.issuer + AccountPaths.secondFactor, "csrfToken": csrfToken,
                "pending": prompt.pending,
            ]
            values["clientName"] = prompt.clientName
            values["error"] = prompt.error
            values["offersCode"] = prompt.offersCode
            values["passkeyOptions"] = prompt.passkeyOptions
            values["passkeyAction"] = tenant.issuer + AccountPaths.passkeySignIn
            response = pages.render(
                .secondFactor, values, tenant: tenant.tenant, status: HTTPResponse.Status(code: prompt.status))
        case .enrolment(let prompt):
            if let offer = prompt.offer {
                var values: [String: Any] = [
                    "title": "Set up an authenticator app", "uri": offer.uri, "key": offer.key, "offer": offer.sealed,
                    "pending": prompt.pending, "csrfToken": csrfToken, "required": true,
                    "action": tenant.issuer + AccountPaths.enrolment,
                ]
                values["error"] = prompt.error
                values["qr"] = offer.qrSVG
                response = pages.render(
                    .totpSetup, values, tenant: tenant.tenant, status: HTTPResponse.Status(code: prompt.status))
            } else {
                response = pages.render(
                    .recoveryCodes,
                    [
                        "title": "Two-step sign-in is on", "codes": prompt.recoveryCodes, "csrfToken": csrfToken,
                        "pending": prompt.pending, "continueAction": tenant.issuer + AccountPaths.enrolmentContinue,
                    ], tenant: tenant.tenant)
            }
        case .consent(let prompt):
            let scopes: [[String: Any]] = prompt.scopes.map {
                ["name": $0.name, "description": $0.description, "alreadyGranted": $0.alreadyGranted]
            }
            var values: [String: Any] = [
                "title": "Allow \(prompt.clientName)?", "action": tenant.issuer + AccountPaths.consent,
                "csrfToken": csrfToken, "pending": prompt.pending, "clientName": prompt.clientName,
                "username": prompt.username, "scopes": scopes, "audience": prompt.audience,
                "hasAudience": !prompt.audience.isEmpty, "accountURL": tenant.issuer + AccountPaths.account,
            ]
            // Only the device flow has a code to compare: an empty string would still open the
            // template's `{{#userCode}}` section and draw an empty box.
            values["userCode"] = prompt.userCode
            values["appHost"] = prompt.appHost
            values["unverified"] = prompt.unverified
            response = pages.render(.consent, values, tenant: tenant.tenant)
        case .deviceCode(let prompt):
            var values: [String: Any] = [
                "title": "Connect a device", "action": tenant.issuer + AccountPaths.device, "csrfToken": csrfToken,
                "userCode": prompt.userCode ?? "",
            ]
            values["error"] = prompt.error
            response = pages.render(
                .device, values, tenant: tenant.tenant, status: HTTPResponse.Status(code: prompt.status))
        case .done(let title, let text):
            response = pages.message(title, text, tenant: tenant.tenant, status: .ok)
        }
        return response
    }

    /// A sign-in's answer: the next step, with the session cookie once the sign-in is complete.
    func respond(_ step: InteractionStep, signingIn session: LoginSession?) -> Response {
        guard let session else { return respond(step) }
        var response = finished(draw(step), settingSession: true)
        setSessionCookie(session, on: &response)
        return response
    }

    /// Every page's last step: the binding cookie for a new browser, and a session cookie an
    /// accepted master key opened sealed again with the sealing key, unless the answer sets its own.
    private func finished(_ response: Response, settingSession: Bool) -> Response {
        var response = response
        if isNewBrowser { response.setCookie(cookies.browser(browserID)) }
        if !settingSession, state.sessionNeedsResealing, let session = state.cookieSession {
            setSessionCookie(session, on: &response)
        }
        return response
    }

    /// The answer of a sign-out: the session cookie cleared, instead of any the page set.
    func signedOut(_ response: Response) -> Response {
        var response = response
        response.headers[values: .setCookie].removeAll { $0.hasPrefix(BrowserCookies.session + "=") }
        response.setCookie(cookies.clearedSession())
        return response
    }

    private func setSessionCookie(_ session: LoginSession, on response: inout Response) {
        if let sealed = sealer.seal(session, purpose: .session, tenantID: tenant.id) {
            response.setCookie(cookies.session(sealed, maxAge: max(0, Int(session.expiresAt.timeIntervalSinceNow))))
        }
    }

    /// A page of ours with a form: the browser gets its binding cookie if it had none, so the
    /// form's CSRF token can be checked when it comes back.
    func render(_ page: PageRenderer.Page, _ values: [String: Any]) -> Response {
        finished(pages.render(page, values, tenant: tenant.tenant), settingSession: false)
    }

    func message(_ text: String, status: HTTPResponse.Status) -> Response {
        finished(
            pages.message(status.code < 400 ? "Done" : "Cannot continue", text, tenant: tenant.tenant, status: status),
            settingSession: false)
    }
}

extension TenantPage {
    /// A form of the account pages: its CSRF token checked and its browser signed in; otherwise
    /// the page that says what to do (the login page when nobody is signed in).
    func signedInForm(
        _ request: Request, flow: AuthorizationFlow
    ) async -> Result<(LoginSession, FormParameters), PageRefusal> {
        switch await checkedForm(request) {
        case .failure(let refusal): return .failure(refusal)
        case .success(let form):
            guard let session = await state.session else {
                return .failure(PageRefusal(response: respond(await flow.loginPage(forAccountOf: tenant))))
            }
            return .success((session, form))
        }
    }

    /// Signing out in this browser: the session its cookie names ends on the server, with the
    /// logout tokens it owes (Back-Channel Logout 1.0 §2.5). False when the database failed.
    func endCookieSession(requestID: String?) async -> Bool {
        guard let session = state.cookieSession, let sid = session.sid else { return true }
        do {
            try await state.sessions.end(
                [sid], of: session.userID, tenant: tenant, actor: "user:\(session.userID)", requestID: requestID)
            return true
        } catch {
            state.logger.error("Ending the sign-in session failed", metadata: ["error": "\(error)"])
            return false
        }
    }
}

struct PageRefusal: Error {
    let response: Response
}
