import Foundation
import TesseraCore
import TesseraStore

/// RFC 8628 §3.1–3.2: a device without a browser asks for a device code and a user code. Public
/// clients (devices hold no secret) identify themselves with `client_id` alone.
public struct DeviceAuthorizationEndpoint: Sendable {
    let store: any Store
    let authenticator: ClientAuthenticator
    let rateLimit: ClientRateLimit
    let clock: @Sendable () -> Date

    public init(
        store: any Store, authenticator: ClientAuthenticator, rateLimit: ClientRateLimit,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.authenticator = authenticator
        self.rateLimit = rateLimit
        self.clock = clock
    }

    public struct Response: Encodable, Sendable, Equatable {
        public let deviceCode: String
        public let userCode: String
        public let verificationURI: String
        public let verificationURIComplete: String
        public let expiresIn: Int
        public let interval: Int

        enum CodingKeys: String, CodingKey {
            case deviceCode = "device_code"
            case userCode = "user_code"
            case verificationURI = "verification_uri"
            case verificationURIComplete = "verification_uri_complete"
            case expiresIn = "expires_in"
            case interval
        }
    }

    public func handle(_ request: TokenRequest) async throws(OAuthError) -> Response {
        let client = try await request.authenticateClient(
            with: authenticator, rateLimit: rateLimit, allowPublic: true
        ).client
        guard client.grantTypes.contains(.deviceCode) else {
            throw .unauthorizedClient("the client is not allowed the device_code grant")
        }
        let resources = request.form.values("resource")
        let scopes = try ScopePolicy.grant(
            requested: request.form["scope"],
            allowed: client.scopes.union(
                ScopePolicy.resourceScopes(requested: resources, registered: request.tenant.tenant.resources)))
        if !resources.isEmpty {
            _ = try AudiencePolicy.audience(
                requested: resources, client: client, issuer: request.issuer, resources: request.tenant.tenant.resources
            )
        }
        let tenant = request.tenant
        let now = clock()
        let deviceCode = RandomToken.generate()
        // A user-code collision within the tenant is possible (2.6e10 values); draw again.
        for _ in 0..<5 {
            let userCode = UserCode.generate()
            do {
                try await store.insertDeviceCode(
                    DeviceCode(
                        tenantID: tenant.id, deviceCodeHash: SecretHash(of: deviceCode), userCode: userCode,
                        clientID: client.id, scopes: scopes, audience: resources,
                        intervalSeconds: tenant.settings.devicePollInterval, createdAt: now,
                        expiresAt: now.addingTimeInterval(TimeInterval(tenant.settings.deviceCodeTTL))))
            } catch StoreError.conflict {
                continue
            } catch {
                throw .temporarilyUnavailable("the device code could not be stored; retry")
            }
            let verification = request.issuer + AccountPaths.device
            return Response(
                deviceCode: deviceCode, userCode: userCode, verificationURI: verification,
                verificationURIComplete: verification + "?user_code=" + userCode,
                expiresIn: tenant.settings.deviceCodeTTL, interval: tenant.settings.devicePollInterval)
        }
        throw .temporarilyUnavailable("no free user code was found; retry")
    }
}
