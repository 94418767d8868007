import Foundation
import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraOAuth

/// "Sign in with …" an upstream identity provider (docs/upstream-identity-providers.md): the
/// login page's form starts it (CSRF checked), the upstream redirects back to the tenant's fixed
/// callback. The transaction travels in a sealed, short-lived cookie of this browser, spent at
/// the callback whatever the outcome.
struct UpstreamRoutes {
    let signIn: UpstreamSignIn
    let browser: BrowserPages

    func register(on tenant: RouterGroup<TenantRequestContext>) {
        tenant.post(RouterPath(AccountPaths.upstreamStart)) { request, context in
            let page = TenantPage(request, context, browser: browser)
            switch await page.checkedForm(request) {
            case .failure(let refusal): return refusal.response
            case .success(let form):
                let (step, transaction) = await signIn.start(
                    form: form, tenant: page.tenant, browserID: page.browserID, logger: context.logger)
                var response = page.respond(step)
                if let transaction {
                    response.setCookie(page.cookies.upstream(transaction, maxAge: 600))
                }
                return response
            }
        }
        tenant.get(RouterPath(AccountPaths.upstreamCallback)) { request, context in
            let page = TenantPage(request, context, browser: browser)
            let (step, session) = await signIn.finish(
                query: request.uri.query ?? "", transaction: request.cookies[BrowserCookies.upstream]?.value,
                browserID: page.state.browserID, tenant: page.tenant, requestID: context.requestID,
                logger: context.logger)
            // Spent whatever the outcome: a transaction answers one callback.
            var response = page.respond(step, signingIn: session)
            response.setCookie(page.cookies.clearedUpstream())
            return response
        }
    }
}
