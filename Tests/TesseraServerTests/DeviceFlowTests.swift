import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TesseraCore
import TesseraOAuth
import TesseraServer
import TesseraTestSupport
import Testing

/// RFC 8628 through the real routes: a TV (public client) polls while a person approves on the
/// verification page with the shared login and consent pages.
@Suite("Device flow")
struct DeviceFlowTests {
    struct Device: Sendable {
        let clientID: String

        static func make(_ runtime: TesseraRuntime) async throws -> Device {
            _ = try await runtime.administration.updateSettings(
                of: try await runtime.administration.tenant("acme"), [.devicePollInterval: 1],
                actor: "test")
            let (client, _) = try await runtime.administration.createClient(
                in: try await runtime.administration.tenant("acme"),
                Administration.ClientRegistration(
                    name: "Living Room TV", isPublic: true,
                    grants: ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"],
                    scopes: ["orders:read", "offline_access"]),
                actor: "test")
            return Device(clientID: client.id)
        }

        func authorize(_ client: any TestClientProtocol, _ extra: [String: String] = [:]) async throws -> TestResponse {
            try await client.execute(
                uri: "/t/acme/device_authorization", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(
                    string: FormBody.encode(["client_id": clientID, "scope": "orders:read"].merging(extra) { $1 })))
        }

        func poll(
            _ client: any TestClientProtocol, _ deviceCode: String
        ) async throws -> (HTTPResponse.Status, [String: Any]) {
            let response = try await client.execute(
                uri: "/t/acme/token", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(
                    string: FormBody.encode([
                        "grant_type": "urn:ietf:params:oauth:grant-type:device_code", "device_code": deviceCode,
                        "client_id": clientID,
                    ])))
            return (response.status, try response.jsonObject())
        }
    }

    /// A person signs in on the verification page and decides.
    static func decide(
        _ browser: TestBrowser, userCode: String, decision: String = "approve", typed: String? = nil
    ) async throws -> TestResponse {
        let form = try await browser.get("/t/acme/device?user_code=\(userCode)")
        #expect(form.status == .ok)
        #expect(try form.input("user_code") == userCode)
        let login = try await browser.post(
            "/t/acme/device", ["csrf_token": try form.input("csrf_token"), "user_code": typed ?? userCode])
        let consent = try await browser.post(
            "/t/acme/login",
            [
                "csrf_token": try login.input("csrf_token"), "pending": try login.input("pending"), "username": "alice",
                "password": "correct horse battery",
            ])
        #expect(consent.text.contains(userCode))
        #expect(consent.text.contains("Allow only if your device shows <strong class=\"code\">\(userCode)</strong>"))
        #expect(browser.cookies["tessera_session"] != nil, "\(consent.headers[values: .setCookie])")
        return try await browser.post(
            "/t/acme/consent",
            [
                "csrf_token": try consent.input("csrf_token"), "pending": try consent.input("pending"),
                "decision": decision,
            ])
    }

    @Test func deviceGetsATokenAfterApprovalPollingSlowlyEnough() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            _ = try await DelegationFixture.make(runtime)
            let device = try await Device.make(runtime)
            try await ServerFixture.withClient(runtime) { client in
                let started = try await device.authorize(client)
                #expect(started.status == .ok)
                #expect(started.headers[.cacheControl] == "no-store")
                let grant = try started.jsonObject()
                let deviceCode = try #require(grant["device_code"] as? String)
                let userCode = try #require(grant["user_code"] as? String)
                #expect(UserCode.normalize(userCode) == userCode)
                #expect(grant["verification_uri"] as? String == ServerFixture.issuer + "/device")
                #expect(
                    grant["verification_uri_complete"] as? String == ServerFixture.issuer + "/device?user_code="
                        + userCode)
                #expect(grant["expires_in"] as? Int == 600 && grant["interval"] as? Int == 1)

                let tenant = try #require(try await runtime.store.tenant(slug: TenantSlug("acme")))
                let hash = SecretHash(of: deviceCode)
                /// Sets when the device last polled and its interval, so "too fast" does not
                /// depend on how fast this machine runs the test.
                func lastPoll(secondsAgo: Double, interval: Int) async throws {
                    try await runtime.store.recordDevicePoll(
                        tenantID: tenant.id, deviceCodeHash: hash, at: Date().addingTimeInterval(-secondsAgo),
                        intervalSeconds: interval)
                }

                let (firstStatus, first) = try await device.poll(client, deviceCode)
                #expect(firstStatus == .badRequest && first["error"] as? String == "authorization_pending")
                try await lastPoll(secondsAgo: 0, interval: 30)
                let (_, tooFast) = try await device.poll(client, deviceCode)
                #expect(tooFast["error"] as? String == "slow_down")
                #expect(
                    try await runtime.store.deviceCode(tenantID: tenant.id, deviceCodeHash: hash)?.intervalSeconds == 35
                )

                let done = try await Self.decide(TestBrowser(client), userCode: userCode, typed: userCode.lowercased())
                #expect(done.status == .ok && done.text.contains("Device connected"))

                // Approved, but polled within the interval: still slow_down, not the tokens.
                try await lastPoll(secondsAgo: 0, interval: 35)
                let (_, stillTooFast) = try await device.poll(client, deviceCode)
                #expect(stillTooFast["error"] as? String == "slow_down")
                try await lastPoll(secondsAgo: 60, interval: 5)
                let (status, tokens) = try await device.poll(client, deviceCode)
                #expect(status == .ok, "\(tokens)")
                #expect(tokens["scope"] as? String == "orders:read")
                #expect(tokens["refresh_token"] is String)
                let access = try #require(tokens["access_token"] as? String)
                #expect(try AuthorizationCodeFlowTests.payload(access)["client_id"] as? String == device.clientID)

                // Redeemed once.
                try await lastPoll(secondsAgo: 60, interval: 5)
                let (_, again) = try await device.poll(client, deviceCode)
                #expect(again["error"] as? String == "invalid_grant")
            }
        }
    }

    @Test func denialAndExpiryGiveTheirErrorsAndAUserCodeWorksOnce() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            _ = try await DelegationFixture.make(runtime)
            let device = try await Device.make(runtime)
            try await ServerFixture.withClient(runtime) { client in
                let grant = try await device.authorize(client).jsonObject()
                let deviceCode = try #require(grant["device_code"] as? String)
                let userCode = try #require(grant["user_code"] as? String)
                let browser = TestBrowser(client)
                let denied = try await Self.decide(browser, userCode: userCode, decision: "deny")
                #expect(denied.text.contains("Request denied"))
                let (_, answer) = try await device.poll(client, deviceCode)
                #expect(answer["error"] as? String == "access_denied")

                // The same user code again: refused on the page.
                let form = try await browser.get("/t/acme/device")
                let reused = try await browser.post(
                    "/t/acme/device", ["csrf_token": try form.input("csrf_token"), "user_code": userCode])
                #expect(reused.status == .badRequest && reused.text.contains("not valid or has expired"))

                // Expired: the code's life is over.
                let tenant = try #require(try await runtime.store.tenant(slug: TenantSlug("acme")))
                try await runtime.store.insertDeviceCode(
                    DeviceCode(
                        tenantID: tenant.id, deviceCodeHash: SecretHash(of: "expired-device-code"),
                        userCode: "ZZZZ-ZZZZ",
                        clientID: device.clientID, scopes: ScopeSet(["orders:read"]), audience: [], intervalSeconds: 1,
                        createdAt: Date().addingTimeInterval(-700), expiresAt: Date().addingTimeInterval(-100)))
                let (_, expired) = try await device.poll(client, "expired-device-code")
                #expect(expired["error"] as? String == "expired_token")
                let (_, unknown) = try await device.poll(client, RandomToken.generate())
                #expect(unknown["error"] as? String == "invalid_grant")
            }
        }
    }

    @Test func guessingUserCodesIsThrottledAndAudited() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            try await ServerFixture.withClient(runtime) { client in
                let browser = TestBrowser(client)
                var statuses: [HTTPResponse.Status] = []
                // The free attempts are answered 400; the next is held back. Each further failure
                // doubles a block that starts at 2 s, so on a machine slow enough for a block to
                // pass between two attempts, one more failure is counted before the 429.
                while statuses.count < LoginThrottle.freeAttempts + 4, statuses.last != .tooManyRequests {
                    let form = try await browser.get("/t/acme/device")
                    statuses.append(
                        try await browser.post(
                            "/t/acme/device",
                            ["csrf_token": try form.input("csrf_token"), "user_code": UserCode.generate()]
                        ).status)
                }
                #expect(statuses.prefix(LoginThrottle.freeAttempts).allSatisfy { $0 == .badRequest }, "\(statuses)")
                #expect(statuses.last == .tooManyRequests, "\(statuses)")
                let audit = try await runtime.store.auditEvents(tenantID: fixture.tenant.id, after: nil, limit: 100)
                #expect(
                    audit.filter { $0.action == .deviceUserCodeFailure }.count == statuses.count - 1,
                    "every refused code but the one held back is a counted failure")
            }
        }
    }

    @Test func deviceAuthorizationRefusesBadRequests() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            let device = try await Device.make(runtime)
            try await ServerFixture.withClient(runtime) { client in
                #expect(
                    try await device.authorize(client, ["scope": "admin"]).jsonObject()["error"] as? String
                        == "invalid_scope")
                #expect(
                    try await device.authorize(client, ["resource": "https://evil.example.com"]).jsonObject()["error"]
                        as? String == "invalid_target")
                // A client without the grant.
                let web = try await client.execute(
                    uri: "/t/acme/device_authorization", method: .post,
                    headers: [.authorization: fixture.basic, .contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: "scope=orders:read"))
                #expect(try web.jsonObject()["error"] as? String == "unauthorized_client")
                let anonymous = try await client.execute(
                    uri: "/t/acme/device_authorization", method: .post,
                    headers: [.contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: "scope=orders:read"))
                #expect(anonymous.status == .unauthorized)
                let metadata = try await client.execute(uri: "/t/acme/.well-known/openid-configuration", method: .get)
                    .jsonObject()
                #expect(
                    metadata["device_authorization_endpoint"] as? String == ServerFixture.issuer
                        + "/device_authorization")
            }
        }
    }

    /// A registered resource named in `resource` brings the scopes it accepts to the device
    /// flow too, as at the authorization endpoint; without it they stay out of reach.
    @Test func aRegisteredResourceBringsItsScopesToTheDeviceFlow() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await DelegationFixture.make(runtime)
            let device = try await Device.make(runtime)
            _ = try await runtime.administration.createScope(
                in: fixture.tenant, name: "tv:record", description: "Record shows", actor: "test")
            _ = try await runtime.administration.createResource(
                in: try await runtime.administration.tenant("acme"), identifier: "https://tv.example.com",
                name: "TV API", scopes: ["tv:record"], actor: "test")
            await runtime.tenants.reset()
            try await ServerFixture.withClient(runtime) { client in
                let without = try await device.authorize(client, ["scope": "orders:read tv:record"])
                #expect(try without.jsonObject()["error"] as? String == "invalid_scope")
                let with = try await device.authorize(
                    client, ["scope": "orders:read tv:record", "resource": "https://tv.example.com"])
                #expect(with.status == .ok, "\(with.text)")
                #expect(try with.jsonObject()["device_code"] is String)
            }
        }
    }
}
