import Foundation
import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraOAuth

/// OIDC RP-Initiated Logout 1.0 at `end_session_endpoint`: GET or POST (§2), and the
/// confirmation form behind it (CSRF-protected like every form of ours).
struct EndSessionRoutes {
    let endSession: EndSession
    let browser: BrowserPages

    static let confirmPath = AuthorizationServerMetadata.Path.endSession + "/confirm"

    func register(on tenant: RouterGroup<TenantRequestContext>) {
        let path = RouterPath(AuthorizationServerMetadata.Path.endSession)
        tenant.get(path) { request, context in
            let page = TenantPage(request, context, browser: browser)
            let parameters: FormParameters
            do throws(OAuthError) {
                parameters = try FormParameters(body: request.uri.query ?? "")
            } catch {
                return page.message(error.description ?? "The request is malformed.", status: .badRequest)
            }
            return await answer(page, parameters, requestID: context.requestID)
        }
        tenant.post(path) { request, context in
            let page = TenantPage(request, context, browser: browser)
            let parameters: FormParameters
            do throws(OAuthError) {
                parameters = try await FormBody.read(request)
            } catch {
                return page.message(error.description ?? "The request is malformed.", status: .badRequest)
            }
            return await answer(page, parameters, requestID: context.requestID)
        }
        tenant.post(RouterPath(Self.confirmPath)) { request, context in
            let page = TenantPage(request, context, browser: browser)
            switch await page.checkedForm(request) {
            case .failure(let refusal): return refusal.response
            case .success(let form):
                return await respond(
                    page, endSession.confirmed(form["pending"], tenant: page.tenant), requestID: context.requestID)
            }
        }
    }

    func answer(_ page: TenantPage, _ parameters: FormParameters, requestID: String?) async -> Response {
        await respond(
            page, await endSession.decide(parameters, tenant: page.tenant, session: await page.state.session),
            requestID: requestID)
    }

    func respond(_ page: TenantPage, _ outcome: EndSession.Outcome, requestID: String?) async -> Response {
        switch outcome {
        case .signOut(let redirect):
            // The session ends on the server too, and every app it reached hears of it.
            guard await page.endCookieSession(requestID: requestID) else {
                return page.message(
                    "The service is briefly unavailable. Please try again in a moment.", status: .serviceUnavailable)
            }
            return page.signedOut(
                redirect.map { page.respond(.redirect($0)) } ?? page.message("You are signed out.", status: .ok))
        case .confirm(let pending, let clientName):
            var values: [String: Any] = [
                "title": "Sign out?", "action": page.tenant.issuer + Self.confirmPath, "csrfToken": page.csrfToken,
                "pending": pending,
            ]
            values["clientName"] = clientName
            return page.render(.signOut, values)
        case .refused(let message):
            return page.message(message, status: .badRequest)
        }
    }
}
