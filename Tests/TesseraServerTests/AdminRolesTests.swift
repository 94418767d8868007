import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TesseraCore
import TesseraOAuth
import TesseraServer
import TesseraTestSupport
import Testing

/// Admin roles for people (docs/admin-roles.md): a token issued for a person carries an admin
/// scope only while they hold its role, whatever the client asks for; the admin API then checks
/// the person as it checks a client, records the person through the client in the audit log,
/// and only a full admin grants roles.
@Suite("Admin roles")
struct AdminRolesTests {
    /// acme's fixture with a console-like client: the code flow with every admin scope.
    static func console(_ runtime: TesseraRuntime) async throws -> DelegationFixture {
        let base = try await DelegationFixture.make(runtime)
        let (client, secret) = try await runtime.administration.createClient(
            in: base.tenant,
            .init(
                name: "Console", grants: ["authorization_code", "refresh_token"],
                scopes: [
                    "openid", "offline_access", "tessera:admin", "tessera:admin:clients", "tessera:admin:keys",
                    "tessera:admin:users",
                ], redirectURIs: [DelegationFixture.redirectURI]), actor: "test")
        return DelegationFixture(
            tenant: base.tenant, clientID: client.id, secret: try #require(secret), otherClientID: base.otherClientID,
            otherSecret: base.otherSecret)
    }

    static let askedScope = "openid offline_access tessera:admin:clients tessera:admin:keys"

    /// Signs alice in through the pages with `askedScope`: the token response.
    static func signIn(
        _ fixture: DelegationFixture, _ http: any TestClientProtocol
    ) async throws -> [String: Any] {
        let browser = TestBrowser(http)
        let code = try await fixture.code(browser, ["scope": askedScope])
        let response = try await fixture.redeem(http, code: code)
        #expect(response.status == .ok, "\(response.text)")
        return try response.jsonObject()
    }

    static func alice(_ runtime: TesseraRuntime, _ fixture: DelegationFixture) async throws -> User {
        try await runtime.administration.user(in: fixture.tenant, username: DelegationFixture.username)
    }

    @Test func aPersonsTokenCarriesOnlyTheAdminScopesOfTheirRoles() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await Self.console(runtime)
            try await ServerFixture.withClient(runtime) { http in
                // No role: the client may ask, the token carries none of it, the API refuses.
                let plain = try await Self.signIn(fixture, http)
                #expect(plain["scope"] as? String == "offline_access openid", "\(plain)")
                let plainToken = try #require(plain["access_token"] as? String)
                let refused = try await AdminAPITests.call(http, .get, "/t/acme/admin/v1/clients", token: plainToken)
                #expect(refused.status == .forbidden, "\(refused.text)")

                // admin:clients: clients yes, keys and users no (a clients-only admin).
                let alice = try await Self.alice(runtime, fixture)
                _ = try await runtime.administration.changeRole(
                    .clients, granted: true, of: alice, in: fixture.tenant, actor: "test")
                let granted = try await Self.signIn(fixture, http)
                #expect(
                    granted["scope"] as? String == "offline_access openid tessera:admin:clients", "\(granted)")
                let token = try #require(granted["access_token"] as? String)
                #expect(
                    try await AdminAPITests.call(http, .get, "/t/acme/admin/v1/clients", token: token).status == .ok)
                #expect(
                    try await AdminAPITests.call(http, .get, "/t/acme/admin/v1/keys", token: token).status
                        == .forbidden)
                #expect(
                    try await AdminAPITests.call(http, .get, "/t/acme/admin/v1/users", token: token).status
                        == .forbidden)

                // What the person does is recorded as the person, through the client.
                let created = try await AdminAPITests.call(
                    http, .post, "/t/acme/admin/v1/clients", token: token,
                    json: #"{"name": "Made by Alice", "grants": ["client_credentials"], "scopes": ["orders:read"]}"#)
                #expect(created.status == .created, "\(created.text)")
                let madeID = try #require(try created.jsonObject()["client_id"] as? String)
                let audit = try await runtime.store.auditEvents(tenantID: fixture.tenant.id, after: nil, limit: 200)
                let line = try #require(audit.first { $0.action == .clientCreate && $0.target == madeID })
                #expect(line.actor == "user:\(alice.id.uuidString.lowercased()) via client:\(fixture.clientID)")
                #expect(audit.contains { $0.action == .userRoleAdd && $0.target == alice.id.uuidString.lowercased() })

                // The role withdrawn: a refresh of the earlier grant loses the admin scope.
                let refresh = try #require(granted["refresh_token"] as? String)
                _ = try await runtime.administration.changeRole(
                    .clients, granted: false, of: try await Self.alice(runtime, fixture), in: fixture.tenant,
                    actor: "test")
                let refreshed = try await fixture.refresh(http, refresh)
                #expect(refreshed.status == .ok, "\(refreshed.text)")
                #expect(try refreshed.jsonObject()["scope"] as? String == "offline_access openid")
            }
        }
    }

    @Test func onlyAFullAdminGrantsRoles() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let fixture = try await Self.console(runtime)
            let alice = try await Self.alice(runtime, fixture)
            let (admin, secret) = try await runtime.administration.createClient(
                in: fixture.tenant,
                .init(
                    name: "Admin", grants: ["client_credentials"], scopes: ["tessera:admin", "tessera:admin:users"]),
                actor: "test")
            try await ServerFixture.withClient(runtime) { http in
                let credentials = AdminAPITests.Credentials(id: admin.id, secret: try #require(secret))
                let usersOnly = try await AdminAPITests.token(http, "acme", credentials, scope: "tessera:admin:users")
                let full = try await AdminAPITests.token(http, "acme", credentials, scope: "tessera:admin")
                let path = "/t/acme/admin/v1/users/\(alice.id.uuidString.lowercased())"
                let escalation = try await AdminAPITests.call(
                    http, .patch, path, token: usersOnly, json: #"{"roles": ["admin"]}"#, ifMatch: "*")
                #expect(escalation.status == .forbidden, "\(escalation.text)")
                let unknown = try await AdminAPITests.call(
                    http, .patch, path, token: full, json: #"{"roles": ["root"]}"#, ifMatch: "*")
                #expect(unknown.status == .badRequest || unknown.status == .unprocessableContent, "\(unknown.text)")
                let shown = try await AdminAPITests.call(http, .get, path, token: full)
                #expect(try shown.jsonObject()["roles"] as? [String] == [])
                let granted = try await AdminAPITests.call(
                    http, .patch, path, token: full, json: #"{"roles": ["admin:keys", "admin:audit", "admin:keys"]}"#,
                    ifMatch: "*")
                #expect(granted.status == .ok, "\(granted.text)")
                #expect(try granted.jsonObject()["roles"] as? [String] == ["admin:keys", "admin:audit"])
                let stored = try await Self.alice(runtime, fixture)
                #expect(stored.roles == [.keys, .audit])
            }
        }
    }

    @Test func rolesPermitTheirScopesAndAdminPermitsAll() {
        #expect(AdminRole.permits("orders:read", roles: []))
        #expect(!AdminRole.permits("tessera:admin", roles: [.clients]))
        #expect(AdminRole.permits("tessera:admin:clients", roles: [.clients]))
        #expect(!AdminRole.permits("tessera:admin:keys", roles: [.clients]))
        #expect(AdminRole.permits("tessera:admin:keys", roles: [.admin]))
        #expect(AdminRole.permits("tessera:admin", roles: [.admin]))
        #expect(AdminRole.isAdminScope("tessera:admin:settings") && !AdminRole.isAdminScope("tessera:administer"))
        #expect((try? AdminRole.parse("admin:settings")) == .settings)
        #expect((try? AdminRole.parse("root")) == nil)
    }
}
