import Foundation
import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraOAuth

/// The browser side of the authorization code flow: the authorization endpoint and the login
/// and consent forms it leads to. Every POST carries a CSRF token bound to the browser's cookie.
struct AuthorizationRoutes {
    let runtime: TesseraRuntime
    let pages: PageRenderer

    func register(on router: Router<TesseraRequestContext>) {
        router.get(RouterPath("/t/:tenant" + AuthorizationServerMetadata.Path.authorize)) { request, context in
            let page = try await TenantPage(request, context, runtime: runtime, pages: pages)
            let step = await runtime.authorizationFlow.authorize(
                query: request.uri.query ?? "", tenant: page.tenant, issuer: page.issuer, session: page.state.session)
            return page.respond(step)
        }
        router.post(RouterPath("/t/:tenant" + AccountPaths.login)) { request, context in
            let page = try await TenantPage(request, context, runtime: runtime, pages: pages)
            let form: FormParameters
            switch await page.checkedForm(request, context) {
            case .failure(let refusal): return refusal.response
            case .success(let read): form = read
            }
            let (step, session) = await runtime.authorizationFlow.submitLogin(
                form: form, tenant: page.tenant, issuer: page.issuer, address: context.remoteAddress,
                requestID: context.requestID)
            var response = page.respond(step)
            if let session, let sealed = runtime.sealer.seal(session, purpose: .session, tenantID: page.tenant.id) {
                response.setCookie(
                    page.cookies.session(sealed, maxAge: max(0, Int(session.expiresAt.timeIntervalSinceNow))))
            }
            return response
        }
        router.post(RouterPath("/t/:tenant" + AccountPaths.consent)) { request, context in
            let page = try await TenantPage(request, context, runtime: runtime, pages: pages)
            switch await page.checkedForm(request, context) {
            case .failure(let refusal): return refusal.response
            case .success(let form):
                return page.respond(
                    await runtime.authorizationFlow.submitConsent(
                        form: form, tenant: page.tenant, issuer: page.issuer, session: page.state.session,
                        requestID: context.requestID))
            }
        }
    }
}

/// One request to a tenant's HTML pages: its tenant, cookies and CSRF token, and how each
/// `InteractionStep` is drawn.
struct TenantPage {
    let tenant: Tenant
    let issuer: String
    let state: BrowserState
    let cookies: BrowserCookies
    let pages: PageRenderer
    let sealer: BrowserSealer
    /// The browser id to bind CSRF tokens to: the cookie's, or a new one set with the response.
    let browserID: String
    let isNewBrowser: Bool

    init(
        _ request: Request, _ context: TesseraRequestContext, runtime: TesseraRuntime, pages: PageRenderer
    )
        async throws
    {
        tenant = try await TenantLookup.require(context, in: runtime.tenants)
        issuer = runtime.configuration.publicURL.issuer(for: tenant.slug)
        sealer = runtime.sealer
        state = BrowserState(request, tenant: tenant, sealer: sealer)
        cookies = BrowserCookies(issuer: issuer, publicURL: runtime.configuration.publicURL)
        self.pages = pages
        browserID = state.browserID ?? RandomToken.generate()
        isNewBrowser = state.browserID == nil
    }

    var csrfToken: String { sealer.csrfToken(browserID: browserID, tenantID: tenant.id) }

    /// The form of a page POST, once its CSRF token matches this browser's cookie; otherwise the
    /// page that says what to do. A cross-site POST carries no cookie (SameSite=Lax) and fails here.
    func checkedForm(_ request: Request, _ context: TesseraRequestContext) async -> Result<FormParameters, PageRefusal>
    {
        let form: FormParameters
        do {
            form = try await OAuthForm.read(request, context)
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
        var response: Response
        switch step {
        case .errorPage(let status, let text):
            response = message(text, status: HTTPResponse.Status(code: status))
        case .redirect(let location):
            // RFC 9700 §4.12: 303, so a POSTed password is never re-sent to the client.
            response = Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
        case .login(let prompt):
            var values: [String: Any] = [
                "title": "Sign in", "action": issuer + AccountPaths.login, "csrfToken": csrfToken,
                "pending": prompt.pending,
            ]
            values["clientName"] = prompt.clientName
            values["error"] = prompt.error
            response = pages.render(.login, values, tenant: tenant, status: HTTPResponse.Status(code: prompt.status))
        case .consent(let prompt):
            let scopes: [[String: Any]] = prompt.scopes.map {
                ["name": $0.name, "description": $0.description, "alreadyGranted": $0.alreadyGranted]
            }
            response = pages.render(
                .consent,
                [
                    "title": "Allow \(prompt.clientName)?", "action": issuer + AccountPaths.consent,
                    "csrfToken": csrfToken, "pending": prompt.pending, "clientName": prompt.clientName,
                    "username": prompt.username, "scopes": scopes, "audience": prompt.audience,
                    "hasAudience": !prompt.audience.isEmpty, "accountURL": issuer + AccountPaths.account,
                    "userCode": prompt.userCode ?? "",
                ], tenant: tenant)
        case .deviceCode(let prompt):
            var values: [String: Any] = [
                "title": "Connect a device", "action": issuer + AccountPaths.device, "csrfToken": csrfToken,
                "userCode": prompt.userCode ?? "",
            ]
            values["error"] = prompt.error
            response = pages.render(.device, values, tenant: tenant, status: HTTPResponse.Status(code: prompt.status))
        case .done(let title, let text):
            response = pages.message(title, text, tenant: tenant, status: .ok)
        }
        if isNewBrowser { response.setCookie(cookies.browser(browserID)) }
        return response
    }

    func message(_ text: String, status: HTTPResponse.Status) -> Response {
        var response = pages.message(
            status.code < 400 ? "Done" : "Cannot continue", text, tenant: tenant, status: status)
        if isNewBrowser { response.setCookie(cookies.browser(browserID)) }
        return response
    }
}

struct PageRefusal: Error {
    let response: Response
}
