import Foundation
import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraOAuth

/// RFC 8628 §3.3: the verification page (`verification_uri`) where a person types the code their
/// device shows, then signs in and approves on the shared login and consent pages.
struct DeviceRoutes {
    let runtime: TesseraRuntime
    let pages: PageRenderer

    func register(on router: Router<TesseraRequestContext>) {
        let path = RouterPath("/t/:tenant" + AccountPaths.device)
        router.get(path) { request, context in
            let page = try await TenantPage(request, context, runtime: runtime, pages: pages)
            return page.respond(
                runtime.authorizationFlow.deviceForm(prefilled: request.uri.queryParameters.get("user_code")))
        }
        router.post(path) { request, context in
            let page = try await TenantPage(request, context, runtime: runtime, pages: pages)
            switch await page.checkedForm(request, context) {
            case .failure(let refusal): return refusal.response
            case .success(let form):
                return page.respond(
                    await runtime.authorizationFlow.submitUserCode(
                        form["user_code"], tenant: page.tenant, session: page.state.session,
                        address: context.remoteAddress, requestID: context.requestID))
            }
        }
    }
}
