import Foundation
import Hummingbird
import TesseraCore
import TesseraOAuth

/// A form of the account page: answered only once its CSRF token checked and the browser's
/// session names an active user.
struct SignedInForm {
    let account: AccountService
    let browser: BrowserPages

    /// The form checked and the session's user active, or the page that says why not.
    func handle(
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
