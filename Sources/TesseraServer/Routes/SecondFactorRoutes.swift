import Foundation
import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraOAuth

/// Self-enrolment of a TOTP factor on the account page (docs/second-factor.md): a secret is
/// offered, sealed in the setup form; a right code from the user's app makes it their factor and
/// shows the recovery codes once; the factor can be turned off. Every form is CSRF-checked and
/// needs the signed-in session.
struct SecondFactorRoutes {
    let account: AccountService
    let secondFactors: SecondFactors
    let browser: BrowserPages

    func register(on tenant: RouterGroup<TenantRequestContext>) {
        tenant.post(RouterPath(AccountPaths.totpSetup)) { request, context in
            await signedIn(request, context) { page, user, _ in
                guard page.tenant.settings.mfa != .off else {
                    return page.message("This service does not use second factors.", status: .badRequest)
                }
                return offerPage(page, user, error: nil, status: .ok)
            }
        }
        tenant.post(RouterPath(AccountPaths.totpConfirm)) { request, context in
            await signedIn(request, context) { page, user, form in
                do throws(SecondFactors.Failure) {
                    let codes = try await secondFactors.accept(
                        form["offer"] ?? "", code: form["otp"] ?? "", for: user, in: page.tenant.tenant)
                    return page.render(
                        .recoveryCodes,
                        [
                            "title": "Two-step sign-in is on", "codes": codes,
                            "accountURL": page.tenant.issuer + AccountPaths.account,
                        ])
                } catch .wrongCode {
                    // A fresh secret: the page may have been open too long, or the app set up wrong.
                    return offerPage(
                        page, user, error: "That code does not match. Add the account again and type the new code.",
                        status: .badRequest)
                } catch {
                    return page.message(
                        "The service is briefly unavailable. Please try again.", status: .serviceUnavailable)
                }
            }
        }
        tenant.post(RouterPath(AccountPaths.totpRemove)) { request, context in
            await signedIn(request, context) { page, user, _ in
                guard page.tenant.settings.mfa != .required else {
                    return page.message("This service requires two-step sign-in.", status: .badRequest)
                }
                do throws(SecondFactors.Failure) {
                    try await secondFactors.remove(for: user)
                } catch {
                    return page.message(
                        "The service is briefly unavailable. Please try again.", status: .serviceUnavailable)
                }
                return page.respond(.redirect(page.tenant.issuer + AccountPaths.account))
            }
        }
    }

    func offerPage(_ page: TenantPage, _ user: User, error: String?, status: HTTPResponse.Status) -> Response {
        guard
            let offer = try? secondFactors.offer(for: user, in: page.tenant.tenant, issuerName: page.tenant.tenant.name)
        else {
            return page.message("The service is briefly unavailable. Please try again.", status: .serviceUnavailable)
        }
        var values: [String: Any] = [
            "title": "Set up an authenticator app", "uri": offer.uri, "key": offer.key, "offer": offer.sealed,
            "csrfToken": page.csrfToken, "action": page.tenant.issuer + AccountPaths.totpConfirm,
        ]
        values["error"] = error
        values["qr"] = offer.qrSVG
        var response = page.render(.totpSetup, values)
        response.status = status
        return response
    }

    /// The form checked and the session's user active, or the page that says why not.
    func signedIn(
        _ request: Request, _ context: TenantRequestContext,
        _ body: (TenantPage, User, FormParameters) async -> Response
    ) async -> Response {
        let page = TenantPage(request, context, browser: browser)
        switch await page.checkedForm(request) {
        case .failure(let refusal): return refusal.response
        case .success(let form):
            guard let session = await page.state.session, session.expiresAt > Date(),
                let (user, _) = try? await account.overview(userID: session.userID, tenant: page.tenant)
            else { return page.message("Sign in on your account page first.", status: .unauthorized) }
            return await body(page, user, form)
        }
    }
}
