import Foundation
import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraOAuth

/// Registering and removing passkeys on the account page (docs/passkeys.md). The page carries
/// the registration options, challenge sealed inside; the answer comes back in a CSRF-checked
/// form of the signed-in user.
struct PasskeyRoutes {
    let account: AccountService
    let passkeys: Passkeys
    let browser: BrowserPages

    func register(on tenant: RouterGroup<TenantRequestContext>) {
        let form = SignedInForm(account: account, browser: browser)
        tenant.post(RouterPath(AccountPaths.passkeyRegister)) { request, context in
            await form.handle(request, context) { page, user, form in
                do throws(Passkeys.Failure) {
                    _ = try await passkeys.register(
                        form["credential"] ?? "", name: form["name"] ?? "", for: user, tenant: page.tenant)
                } catch .unavailable {
                    return page.message(
                        "The service is briefly unavailable. Please try again.", status: .serviceUnavailable)
                } catch {
                    return page.message(
                        "That passkey could not be added. Go back to your account page and try again.",
                        status: .badRequest)
                }
                return page.respond(.redirect(page.tenant.issuer + AccountPaths.account))
            }
        }
        tenant.post(RouterPath(AccountPaths.passkeyRemove)) { request, context in
            await form.handle(request, context) { page, user, form in
                guard let id = form["credential_id"].flatMap(Base64URL.decode) else {
                    return page.message("Choose a passkey to remove.", status: .badRequest)
                }
                do throws(Passkeys.Failure) {
                    guard try await passkeys.remove(id, of: user) else {
                        return page.message("That passkey is not on your account.", status: .notFound)
                    }
                } catch {
                    return page.message(
                        "The service is briefly unavailable. Please try again.", status: .serviceUnavailable)
                }
                return page.respond(.redirect(page.tenant.issuer + AccountPaths.account))
            }
        }
    }
}
