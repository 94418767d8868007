import Foundation
import TesseraCore
import TesseraStore

/// A user's own view of the apps acting on their behalf, and the way to stop one: withdrawing
/// consent revokes the app's refresh tokens in the same transaction, so it cannot get a new
/// access token from that moment on.
public struct AccountService: Sendable {
    let store: any Store
    let clients: any ClientDirectory
    let clock: @Sendable () -> Date

    public init(store: any Store, clients: any ClientDirectory, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.clients = clients
        self.clock = clock
    }

    public struct App: Sendable, Equatable {
        public let clientID: String
        public let clientName: String
        public let scope: String
        /// Where an app no administrator made lives (an agent that registered itself or is
        /// named by its metadata document), as the consent page showed it; nil for the tenant's own.
        public var host: String? = nil
        /// No administrator vouched for it.
        public var unverified = false
    }

    /// The signed-in user and their apps; nil when the account no longer exists or is disabled.
    public func overview(userID: UUID, tenant: TenantContext) async throws -> (User, [App])? {
        guard let user = try await store.user(tenantID: tenant.id, id: userID), user.status == .active else {
            return nil
        }
        var apps: [App] = []
        for consent in try await store.consents(tenantID: tenant.id, userID: userID) {
            let client = try await clients.client(tenantID: tenant.id, id: consent.clientID)
            var app = App(
                clientID: consent.clientID, clientName: client?.name ?? consent.clientID,
                scope: consent.scopes.description)
            if let client, client.origin != .admin {
                app.host = AuthorizationFlow.host(of: client)
                app.unverified = !client.verified
            }
            apps.append(app)
        }
        return (user, apps)
    }

    /// True when there was a consent to withdraw.
    @discardableResult
    public func revokeConsent(
        userID: UUID, clientID: String, tenant: TenantContext, requestID: String?, actor: String? = nil
    ) async throws -> Bool {
        let now = clock()
        return try await store.transaction { operations in
            guard try await operations.deleteConsent(tenantID: tenant.id, userID: userID, clientID: clientID) else {
                return false
            }
            let revoked = try await operations.revokeRefreshTokens(
                tenantID: tenant.id, userID: userID, clientID: clientID, at: now)
            try await operations.appendAudit(
                AuditRecord(
                    action: .consentRevoke, target: "client:\(clientID)",
                    details: AuditDetails().number("refresh_tokens_revoked", revoked)),
                tenantID: tenant.id, actor: actor ?? "user:\(userID)", requestID: requestID, at: now)
            return true
        }
    }
}
