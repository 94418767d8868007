import Foundation
import Logging
import TesseraCore
import TesseraStore

/// The person's side of the device flow (RFC 8628 §3.3): the verification page takes the user
/// code shown on the device, then the same login and consent pages as the authorization code
/// flow. Guessing user codes is throttled per address like passwords, and audited.
extension AuthorizationFlow {
    /// `GET {issuer}/device[?user_code=…]`: the form, prefilled from `verification_uri_complete`.
    public func deviceForm(prefilled: String?) -> InteractionStep {
        .deviceCode(DeviceCodePrompt(userCode: prefilled.flatMap(UserCode.normalize), error: nil, status: 200))
    }

    /// `POST {issuer}/device` with `user_code` (CSRF checked by the server).
    public func submitUserCode(
        _ typed: String?, tenant: TenantContext, session: LoginSession?, address: String?, requestID: String?,
        logger: Logger
    ) async -> InteractionStep {
        let throttleKey = [LoginThrottle.Subject.deviceCodes(from: address, in: tenant)]
        let waiting: Int?
        do {
            waiting = try await passwordLogin.throttle.wait(for: throttleKey, now: clock())
        } catch {
            return Self.unavailable(error, while: "reading the back-off", logger: logger)
        }
        if let wait = waiting {
            return .deviceCode(
                DeviceCodePrompt(
                    userCode: nil, error: "Too many wrong codes. Try again in \(wait) seconds.", status: 429))
        }
        var code: DeviceCode?
        if let userCode = UserCode.normalize(typed ?? "") {
            do {
                code = try await store.deviceCode(tenantID: tenant.id, userCode: userCode)
            } catch {
                return Self.unavailable(error, while: "reading the user code", logger: logger)
            }
        }
        guard let code, code.status == .pending, code.expiresAt > clock(),
            let client = await activeClient(code.clientID, tenant: tenant, logger: logger)
        else {
            do {
                try await passwordLogin.throttle.recordFailure(for: throttleKey, now: clock())
            } catch {
                return Self.unavailable(error, while: "counting a wrong user code", logger: logger)
            }
            try? await store.appendAudit(
                AuditRecord(action: .deviceUserCodeFailure, target: "user_code"), tenantID: tenant.id,
                actor: "address:\(address ?? "unknown")", requestID: requestID, at: clock())
            return .deviceCode(
                DeviceCodePrompt(
                    userCode: nil, error: "That code is not valid or has expired. Check the code on your device.",
                    status: 400))
        }
        if let session, session.expiresAt > clock() {
            let user: User?
            do {
                user = try await store.user(tenantID: tenant.id, id: session.userID)
            } catch {
                return Self.unavailable(error, while: "reading the signed-in user", logger: logger)
            }
            if let user, user.status == .active {
                return await deviceConsent(userCode: code.userCode, user: user, tenant: tenant, logger: logger)
            }
        }
        return await loginPage(.device(userCode: code.userCode), clientName: client.name, tenant: tenant)
    }

    /// A device is always confirmed on the consent page, even for scopes approved before: the
    /// person must check that the code on the page is the one on their device.
    func deviceConsent(userCode: String, user: User, tenant: TenantContext, logger: Logger) async -> InteractionStep {
        do {
            guard let code = try await store.deviceCode(tenantID: tenant.id, userCode: userCode),
                code.status == .pending, code.expiresAt > clock(),
                let client = await activeClient(code.clientID, tenant: tenant, logger: logger)
            else {
                return .errorPage(status: 400, message: "This device code has expired. Start again on your device.")
            }
            return try await consentPage(
                .device(userCode: userCode), client: client, user: user, scopes: code.scopes, audience: code.audience,
                previous: try await store.consent(tenantID: tenant.id, userID: user.id, clientID: client.id),
                tenant: tenant, expiresAt: min(code.expiresAt, clock().addingTimeInterval(PendingInteraction.lifetime)),
                userCode: userCode)
        } catch {
            return Self.unavailable(error, while: "drawing the device consent page", logger: logger)
        }
    }

    func decideDevice(
        userCode: String, userID: UUID, session: LoginSession, form: FormParameters, tenant: TenantContext,
        requestID: String?, logger: Logger
    ) async -> InteractionStep {
        let decision: DeviceCode.Status
        switch form["decision"] {
        case "approve": decision = .approved
        case "deny": decision = .denied
        default: return .errorPage(status: 400, message: "Choose Allow or Deny.")
        }
        let now = clock()
        do {
            let decided = try await store.transaction { operations -> Bool in
                guard let code = try await operations.deviceCode(tenantID: tenant.id, userCode: userCode),
                    try await operations.decideDeviceCode(
                        tenantID: tenant.id, userCode: userCode, status: decision,
                        userID: decision == .approved ? userID : nil,
                        authTime: decision == .approved ? session.authTime : nil, at: now)
                else { return false }
                if decision == .approved {
                    try await operations.grantConsent(
                        code.scopes, tenantID: tenant.id, userID: userID, clientID: code.clientID, at: now)
                }
                try await operations.appendAudit(
                    AuditRecord(
                        action: decision == .approved ? .deviceApprove : .deviceDeny, target: "client:\(code.clientID)"),
                    tenantID: tenant.id, actor: "user:\(userID)", requestID: requestID, at: now)
                return true
            }
            guard decided else {
                return .errorPage(status: 400, message: "This device code has expired or was already used.")
            }
        } catch {
            return Self.unavailable(error, while: "recording the device decision", logger: logger)
        }
        return decision == .approved
            ? .done(title: "Device connected", message: "You can go back to your device; it will continue by itself.")
            : .done(title: "Request denied", message: "The device was not given access.")
    }
}
