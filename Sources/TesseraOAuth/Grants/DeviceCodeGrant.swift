import Foundation
import TesseraCore
import TesseraJOSE
import TesseraStore

/// RFC 8628 §3.4–3.5: the device polls with its device code until the person decides. Polling
/// faster than the interval answers `slow_down` and adds 5 s to it; an approved code is
/// exchanged for tokens exactly once.
public struct DeviceCodeGrant: GrantHandler {
    public let grantType = GrantType.deviceCode
    public let allowsPublicClients = true
    let store: any Store
    let tokens: UserTokenIssuer
    let clock: @Sendable () -> Date

    public init(store: any Store, tokens: UserTokenIssuer, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.tokens = tokens
        self.clock = clock
    }

    public func handle(
        _ request: TokenRequest, client: AuthenticatedClient
    ) async throws(OAuthError) -> TokenResponse {
        let value = try request.form.require("device_code")
        let client = client.client
        let tenant = request.tenant
        let now = clock()
        let tokens = self.tokens
        let hash = SecretHash(of: value)
        return try await store.grantTransaction { operations -> GrantOutcome in
            guard let code = try await operations.deviceCode(tenantID: tenant.id, deviceCodeHash: hash),
                code.clientID == client.id
            else { return .refused(.invalidGrant("the device code is invalid or was issued to another client")) }
            guard code.expiresAt > now else { return .refused(.expiredToken("the device code has expired")) }
            switch code.status {
            case .redeemed:
                return .refused(.invalidGrant("the device code was already used"))
            case .denied:
                return .refused(.accessDenied("the user denied the request"))
            case .pending, .approved:
                break
            }
            // §3.5: too fast, pending or not, and the interval grows.
            if let last = code.lastPolledAt, now.timeIntervalSince(last) < TimeInterval(code.intervalSeconds) {
                try await operations.recordDevicePoll(
                    tenantID: tenant.id, deviceCodeHash: hash, at: now, intervalSeconds: code.intervalSeconds + 5)
                return .refused(.slowDown("poll every \(code.intervalSeconds + 5) seconds"))
            }
            guard code.status == .approved else {
                try await operations.recordDevicePoll(
                    tenantID: tenant.id, deviceCodeHash: hash, at: now, intervalSeconds: code.intervalSeconds)
                return .refused(.authorizationPending("the user has not decided yet"))
            }
            guard
                try await operations.redeemDeviceCode(
                    tenantID: tenant.id, deviceCodeHash: hash, clientID: client.id, at: now),
                let userID = code.userID,
                let user = try await operations.user(tenantID: tenant.id, id: userID), user.status == .active
            else { return .refused(.invalidGrant("the device code was already used")) }
            let issued = try await tokens.issue(
                UserTokenIssuer.Grant(
                    user: user, scopes: code.scopes, requestedAudience: code.audience,
                    authTime: code.authTime ?? now, nonce: nil, family: .new),
                client: client, tenant: tenant, proof: request.proof, confirmation: request.confirmation,
                operations: operations)
            return .issued(issued.response)
        }.get()
    }
}
