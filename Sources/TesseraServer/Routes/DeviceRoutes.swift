import Foundation
import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraOAuth

/// RFC 8628 §3.3: the verification page (`verification_uri`) where a person types the code their
/// device shows, then signs in and approves on the shared login and consent pages.
struct DeviceRoutes {
    let flow: AuthorizationFlow
    let browser: BrowserPages

    func register(on tenant: RouterGroup<TenantRequestContext>) {
        let path = RouterPath(AccountPaths.device)
        tenant.get(path) { request, context in
            let page = TenantPage(request, context, browser: browser)
            return page.respond(flow.deviceForm(prefilled: request.uri.queryParameters.get("user_code")))
        }
        tenant.post(path) { request, context in
            let page = TenantPage(request, context, browser: browser)
            switch await page.checkedForm(request) {
            case .failure(let refusal): return refusal.response
            case .success(let form):
                return page.respond(
                    await flow.submitUserCode(
                        form["user_code"], tenant: page.tenant, session: await page.state.session,
                        address: context.remoteAddress, requestID: context.requestID, logger: context.logger))
            }
        }
    }
}
