import Foundation
import Logging
import TesseraCore

extension AuthorizationFlow {
    /// A passkey answer from the login page (the first factor: the credential names its user)
    /// or from the code page (after the password: it must be that user's credential). Either
    /// way under the sign-in back-off; a refusal shows the page again, never a 5xx.
    public func submitPasskey(
        form: FormParameters, tenant: TenantContext, address: String?, requestID: String?, logger: Logger,
        browser: SignInBrowser = SignInBrowser()
    ) async -> (InteractionStep, LoginSession?) {
        guard let pending = openPending(form["pending"], tenant: tenant) else { return (Self.expired, nil) }
        guard let passkeys else {
            return (.errorPage(status: 404, message: "This service has no passkey sign-in."), nil)
        }
        let clientName = await self.clientName(of: pending, tenant: tenant, logger: logger)
        let credential = form["credential"] ?? ""
        if let userID = pending.userID {
            guard pending.passwordVerifiedAt != nil else { return (Self.expired, nil) }
            return await secondStep(
                credential, userID: userID, pending: pending, clientName: clientName, passkeys: passkeys,
                tenant: tenant, address: address, requestID: requestID, logger: logger, browser: browser)
        }
        var methods: [AuthenticationMethod] = []
        let user: User
        do {
            user = try await passwordLogin.verifyFirstStep(tenant: tenant, address: address, requestID: requestID) {
                () async throws(SecondFactors.Failure) -> User in
                do throws(Passkeys.Failure) {
                    let verified = try await passkeys.authenticate(credential, expectedUser: nil, tenant: tenant)
                    methods = verified.methods
                    return verified.user
                } catch .unavailable {
                    throw .unavailable
                } catch {
                    throw .wrongCode
                }
            }
        } catch {
            return (
                await refused(
                    error, wrong: "That passkey did not sign you in. Try again, or use your password.",
                    while: "checking the passkey", logger: logger
                ) { message, status in
                    await loginPage(
                        pending.purpose, clientName: clientName, tenant: tenant, error: message, status: status)
                }, nil
            )
        }
        // A passkey that only tested presence is one factor; where every sign-in needs two,
        // it does not end one (docs/passkeys.md).
        if tenant.settings.mfa == .required, AuthenticationContext(methods) != .twoFactors {
            return (
                await loginPage(
                    pending.purpose, clientName: clientName, tenant: tenant,
                    error: "This service needs a passkey that checks it is you (a PIN or your fingerprint or face).",
                    status: 401), nil
            )
        }
        return await signedIn(
            user, with: methods, purpose: pending.purpose, tenant: tenant, logger: logger, browser: browser,
            requestID: requestID)
    }

    func secondStep(
        _ credential: String, userID: UUID, pending: PendingInteraction, clientName: String?, passkeys: Passkeys,
        tenant: TenantContext, address: String?, requestID: String?, logger: Logger, browser: SignInBrowser
    ) async -> (InteractionStep, LoginSession?) {
        let user: User
        switch await awaitedUser(userID, tenant: tenant, logger: logger) {
        case .active(let found): user = found
        case .ended(let page): return (page, nil)
        }
        var methods: [AuthenticationMethod] = []
        do {
            try await passwordLogin.verifySecondStep(user: user, tenant: tenant, address: address, requestID: requestID)
            {
                () async throws(SecondFactors.Failure) in
                do throws(Passkeys.Failure) {
                    methods = try await passkeys.authenticate(credential, expectedUser: user.id, tenant: tenant).methods
                } catch .unavailable {
                    throw .unavailable
                } catch {
                    throw .wrongCode
                }
            }
        } catch {
            return (
                await refused(
                    error, wrong: "That passkey did not sign you in.", while: "checking the passkey", logger: logger
                ) { message, status in
                    await secondFactorPage(
                        pending, for: user, clientName: clientName, tenant: tenant, error: message, status: status)
                }, nil
            )
        }
        return await signedIn(
            user, with: pending.firstFactor + methods, purpose: pending.purpose, tenant: tenant, logger: logger,
            browser: browser, requestID: requestID)
    }
}
