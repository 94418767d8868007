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
    let passkeys: Passkeys
    let browser: BrowserPages

    /// A date as the account page shows it: the day, in UTC.
    static func day(_ date: Date) -> String {
        String(ISO8601DateFormatter().string(from: date).prefix(10))
    }

    func register(on tenant: RouterGroup<TenantRequestContext>) {
        tenant.get(RouterPath(AccountPaths.account)) { request, context in
            let page = TenantPage(request, context, browser: browser)
            guard let session = await page.state.session else {
                return page.respond(await flow.loginPage(forAccountOf: page.tenant))
            }
            let overview: (User, [AccountService.App])?
            let sessions: [SessionRecord]
            do {
                overview = try await account.overview(userID: session.userID, tenant: page.tenant)
                sessions = try await flow.sessions.sessions(of: session.userID, tenant: page.tenant)
            } catch {
                context.logger.error("Account page failed", metadata: ["error": "\(error)"])
                return page.message(
                    "The service is briefly unavailable. Please try again.", status: .serviceUnavailable)
            }
            guard let (user, apps) = overview else {
                return page.signedOut(page.respond(await flow.loginPage(forAccountOf: page.tenant)))
            }
            let hasTOTP: Bool
            let registered: [Passkey]
            do {
                hasTOTP = try await secondFactors.hasTOTP(user)
                registered = try await passkeys.list(for: user)
            } catch {
                return page.message(
                    "The service is briefly unavailable. Please try again.", status: .serviceUnavailable)
            }
            let csrf = page.csrfToken
            var values: [String: Any] = [
                "title": "Your account", "username": user.username, "csrfToken": csrf,
                "logoutAction": page.tenant.issuer + AccountPaths.logout, "hasTOTP": hasTOTP,
                "offersTOTP": page.tenant.settings.mfa != .off,
                "canTurnOff": page.tenant.settings.mfa != .required,
                "totpSetupAction": page.tenant.issuer + AccountPaths.totpSetup,
                "totpRemoveAction": page.tenant.issuer + AccountPaths.totpRemove,
                "hasPasskeys": !registered.isEmpty, "passkeysUnavailable": !passkeys.relyingParty.isUsable,
                "passkeys": registered.map { passkey -> [String: Any] in
                    var item: [String: Any] = [
                        "name": passkey.name, "id": Base64URL.encode(passkey.credentialID),
                        "created": Self.day(passkey.createdAt), "synced": passkey.backedUp, "csrfToken": csrf,
                        "removeAction": page.tenant.issuer + AccountPaths.passkeyRemove,
                    ]
                    item["lastUsed"] = passkey.lastUsedAt.map(Self.day)
                    return item
                },
                // `false` closes the template's section (an empty string would open it).
                "passkeyOptions":
                    (registered.count < Passkeys.maximumPerUser
                    ? passkeys.registrationOptions(for: user, existing: registered, tenant: page.tenant) : nil)
                    .map { $0 as Any } ?? false,
                "passkeyAction": page.tenant.issuer + AccountPaths.passkeyRegister,
                "apps": apps.map {
                    [
                        "clientName": $0.clientName, "clientID": $0.clientID, "scope": $0.scope, "csrfToken": csrf,
                        "revokeAction": page.tenant.issuer + AccountPaths.revokeConsent,
                        "host": $0.host ?? false, "unverified": $0.unverified,
                    ] as [String: Any]
                },
            ]
            values.merge(AccountSessionRoutes.values(sessions, current: session, page: page)) { first, _ in first }
            return page.render(.account, values)
        }
        tenant.post(RouterPath(AccountPaths.revokeConsent)) { request, context in
            let page = TenantPage(request, context, browser: browser)
            switch await page.signedInForm(request, flow: flow) {
            case .failure(let refusal): return refusal.response
            case .success(let (session, form)):
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
                guard await page.endCookieSession(requestID: context.requestID) else {
                    return page.message(
                        "The service is briefly unavailable. Please try again.", status: .serviceUnavailable)
                }
                return page.signedOut(page.message("You are signed out.", status: .ok))
            }
        }
    }
}
