import Foundation
import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraOAuth

/// The user's account page: the apps acting on their behalf, removing one, signing out.
struct AccountRoutes {
    let runtime: TesseraRuntime
    let pages: PageRenderer

    func register(on router: Router<TesseraRequestContext>) {
        router.get(RouterPath("/t/:tenant" + AccountPaths.account)) { request, context in
            let page = try await TenantPage(request, context, runtime: runtime, pages: pages)
            guard let session = page.state.session else {
                return page.respond(runtime.authorizationFlow.loginPage(forAccountOf: page.tenant))
            }
            let overview: (User, [AccountService.App])?
            do {
                overview = try await runtime.accountService.overview(userID: session.userID, tenant: page.tenant)
            } catch {
                return page.message(
                    "The service is briefly unavailable. Please try again.", status: .serviceUnavailable)
            }
            guard let (user, apps) = overview else {
                var response = page.respond(runtime.authorizationFlow.loginPage(forAccountOf: page.tenant))
                response.setCookie(page.cookies.clearedSession())
                return response
            }
            let csrf = page.csrfToken
            var response = pages.render(
                .account,
                [
                    "title": "Your account", "username": user.username, "csrfToken": csrf,
                    "logoutAction": page.issuer + AccountPaths.logout,
                    "apps": apps.map {
                        [
                            "clientName": $0.clientName, "clientID": $0.clientID, "scope": $0.scope, "csrfToken": csrf,
                            "revokeAction": page.issuer + AccountPaths.revokeConsent,
                        ] as [String: Any]
                    },
                ], tenant: page.tenant)
            if page.isNewBrowser { response.setCookie(page.cookies.browser(page.browserID)) }
            return response
        }
        router.post(RouterPath("/t/:tenant" + AccountPaths.revokeConsent)) { request, context in
            let page = try await TenantPage(request, context, runtime: runtime, pages: pages)
            switch await page.checkedForm(request, context) {
            case .failure(let refusal): return refusal.response
            case .success(let form):
                guard let session = page.state.session else {
                    return page.respond(runtime.authorizationFlow.loginPage(forAccountOf: page.tenant))
                }
                guard let clientID = form["client_id"] else {
                    return page.message("Choose an app to remove.", status: .badRequest)
                }
                do {
                    try await runtime.accountService.revokeConsent(
                        userID: session.userID, clientID: clientID, tenant: page.tenant, requestID: context.requestID)
                } catch {
                    return page.message(
                        "The service is briefly unavailable. Please try again.", status: .serviceUnavailable)
                }
                return page.respond(.redirect(page.issuer + AccountPaths.account))
            }
        }
        router.post(RouterPath("/t/:tenant" + AccountPaths.logout)) { request, context in
            let page = try await TenantPage(request, context, runtime: runtime, pages: pages)
            switch await page.checkedForm(request, context) {
            case .failure(let refusal): return refusal.response
            case .success:
                var response = page.message("You are signed out.", status: .ok)
                response.setCookie(page.cookies.clearedSession())
                return response
            }
        }
    }
}
