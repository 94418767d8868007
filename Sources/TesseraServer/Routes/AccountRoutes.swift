import Foundation
import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraOAuth

/// The user's account page: the apps acting on their behalf, removing one, signing out.
struct AccountRoutes {
    let flow: AuthorizationFlow
    let account: AccountService
    let secondFactors: SecondFactors
    let browser: BrowserPages

    func register(on tenant: RouterGroup<TenantRequestContext>) {
        tenant.get(RouterPath(AccountPaths.account)) { request, context in
            let page = TenantPage(request, context, browser: browser)
            guard let session = page.state.session else {
                return page.respond(await flow.loginPage(forAccountOf: page.tenant))
            }
            let overview: (User, [AccountService.App])?
            do {
                overview = try await account.overview(userID: session.userID, tenant: page.tenant)
            } catch {
                context.logger.error("Account page failed", metadata: ["error": "\(error)"])
                return page.message(
                    "The service is briefly unavailable. Please try again.", status: .serviceUnavailable)
            }
            guard let (user, apps) = overview else {
                var response = page.respond(await flow.loginPage(forAccountOf: page.tenant))
                response.setCookie(page.cookies.clearedSession())
                return response
            }
            let hasTOTP: Bool
            do throws(SecondFactors.Failure) {
                hasTOTP = try await secondFactors.isRequired(for: user)
            } catch {
                return page.message(
                    "The service is briefly unavailable. Please try again.", status: .serviceUnavailable)
            }
            let csrf = page.csrfToken
            return page.render(
                .account,
                [
                    "title": "Your account", "username": user.username, "csrfToken": csrf,
                    "logoutAction": page.tenant.issuer + AccountPaths.logout, "hasTOTP": hasTOTP,
                    "offersTOTP": page.tenant.settings.mfa != .off,
                    "canTurnOff": page.tenant.settings.mfa != .required,
                    "totpSetupAction": page.tenant.issuer + AccountPaths.totpSetup,
                    "totpRemoveAction": page.tenant.issuer + AccountPaths.totpRemove,
                    "apps": apps.map {
                        [
                            "clientName": $0.clientName, "clientID": $0.clientID, "scope": $0.scope, "csrfToken": csrf,
                            "revokeAction": page.tenant.issuer + AccountPaths.revokeConsent,
                        ] as [String: Any]
                    },
                ])
        }
        tenant.post(RouterPath(AccountPaths.revokeConsent)) { request, context in
            let page = TenantPage(request, context, browser: browser)
            switch await page.checkedForm(request) {
            case .failure(let refusal): return refusal.response
            case .success(let form):
                guard let session = page.state.session else {
                    return page.respond(await flow.loginPage(forAccountOf: page.tenant))
                }
                guard let clientID = form["client_id"] else {
                    return page.message("Choose an app to remove.", status: .badRequest)
                }
                do {
                    try await account.revokeConsent(
                        userID: session.userID, clientID: clientID, tenant: page.tenant, requestID: context.requestID)
                } catch {
                    context.logger.error("Removing an app failed", metadata: ["error": "\(error)"])
                    return page.message(
                        "The service is briefly unavailable. Please try again.", status: .serviceUnavailable)
                }
                return page.respond(.redirect(page.tenant.issuer + AccountPaths.account))
            }
        }
        tenant.post(RouterPath(AccountPaths.logout)) { request, context in
            let page = TenantPage(request, context, browser: browser)
            switch await page.checkedForm(request) {
            case .failure(let refusal): return refusal.response
            case .success:
                var response = page.message("You are signed out.", status: .ok)
                response.setCookie(page.cookies.clearedSession())
                return response
            }
        }
    }
}
