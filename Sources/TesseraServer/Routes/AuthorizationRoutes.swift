import Foundation
import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraOAuth

/// The browser side of the authorization code flow: the authorization endpoint and the login
/// and consent forms it leads to. Every POST carries a CSRF token bound to the browser's cookie.
struct AuthorizationRoutes {
    let flow: AuthorizationFlow
    let browser: BrowserPages

    func register(on tenant: RouterGroup<TenantRequestContext>) {
        tenant.get(RouterPath(AuthorizationServerMetadata.Path.authorize)) { request, context in
            let page = TenantPage(request, context, browser: browser)
            let step = await flow.authorize(
                query: request.uri.query ?? "", tenant: page.tenant, session: await page.state.session,
                logger: context.logger)
            return page.respond(step)
        }
        // OIDC Core §3.1.2.1: POST with a form body, as a client's auto-submitted form sends it.
        // No CSRF token: like the GET, it comes from the client's page, not from ours.
        tenant.post(RouterPath(AuthorizationServerMetadata.Path.authorize)) { request, context in
            let page = TenantPage(request, context, browser: browser)
            let parameters: FormParameters
            do throws(OAuthError) {
                parameters = try await FormBody.read(request)
            } catch {
                return page.respond(.errorPage(status: 400, message: error.description ?? "The request is malformed."))
            }
            return page.respond(
                await flow.authorize(
                    parameters: parameters, tenant: page.tenant, session: await page.state.session,
                    logger: context.logger))
        }
        form(AccountPaths.login, on: tenant) { page, form, context in
            let (step, session) = await flow.submitLogin(
                form: form, tenant: page.tenant, address: context.remoteAddress, requestID: context.requestID,
                logger: context.logger, browser: page.signInBrowser)
            return signedIn(page, step, session)
        }
        form(AccountPaths.secondFactor, on: tenant) { page, form, context in
            let (step, session) = await flow.submitSecondFactor(
                form: form, tenant: page.tenant, address: context.remoteAddress, requestID: context.requestID,
                logger: context.logger, browser: page.signInBrowser)
            return signedIn(page, step, session)
        }
        form(AccountPaths.passkeySignIn, on: tenant) { page, form, context in
            let (step, session) = await flow.submitPasskey(
                form: form, tenant: page.tenant, address: context.remoteAddress, requestID: context.requestID,
                logger: context.logger, browser: page.signInBrowser)
            return signedIn(page, step, session)
        }
        form(AccountPaths.enrolment, on: tenant) { page, form, context in
            page.respond(await flow.submitEnrolment(form: form, tenant: page.tenant, logger: context.logger))
        }
        form(AccountPaths.enrolmentContinue, on: tenant) { page, form, context in
            let (step, session) = await flow.continueAfterEnrolment(
                form: form, tenant: page.tenant, logger: context.logger, browser: page.signInBrowser)
            return signedIn(page, step, session)
        }
        form(AccountPaths.consent, on: tenant) { page, form, context in
            page.respond(
                await flow.submitConsent(
                    form: form, tenant: page.tenant, session: await page.state.session, requestID: context.requestID,
                    logger: context.logger))
        }
    }

    /// A form of our pages at `path`: answered by `handle` once its CSRF token checked.
    func form(
        _ path: String, on tenant: RouterGroup<TenantRequestContext>,
        _ handle: @escaping @Sendable (TenantPage, FormParameters, TenantRequestContext) async -> Response
    ) {
        tenant.post(RouterPath(path)) { request, context in
            let page = TenantPage(request, context, browser: browser)
            switch await page.checkedForm(request) {
            case .failure(let refusal): return refusal.response
            case .success(let form): return await handle(page, form, context)
            }
        }
    }

    /// A sign-in's answer: the next step, with the session cookie once the sign-in is complete.
    func signedIn(_ page: TenantPage, _ step: InteractionStep, _ session: LoginSession?) -> Response {
        page.respond(step, signingIn: session)
    }
}
