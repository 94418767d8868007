import Foundation
import HTTPTypes
import HummingbirdTesting
import TesseraCore
import TesseraOAuth
import TesseraServer
import TesseraStore
import TesseraTestSupport
import Testing

/// The admin API's `identity-providers`: validation as RFC 9457 problems, a write-only secret,
/// the provider's own key for private_key_jwt, versions, audit.
@Suite("Identity provider admin API")
struct IdentityProviderAdminTests {
    static func withAdmin(
        _ body: @Sendable (TesseraRuntime, any TestClientProtocol, String) async throws -> Void
    ) async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            try await ServerFixture.withClient(runtime) { client in
                let tenant = try await ServerFixture.acme(runtime)
                let (admin, secret) = try await runtime.administration.createClient(
                    in: tenant, .init(name: "Admin", grants: ["client_credentials"], scopes: ["tessera:admin"]),
                    actor: "test")
                let token = try await AdminAPITests.token(
                    client, "acme", .init(id: admin.id, secret: try #require(secret)))
                try await body(runtime, client, token)
            }
        }
    }

    static let base = "/t/acme/admin/v1/identity-providers"
    static let create = """
        {"slug":"corp","name":"Corp","issuer":"https://login.corp.example","client_id":"tessera","client_secret":"s3cret-value","scopes":["openid","email"],"username_claim":"email"}
        """

    @Test func createReadListUpdateAndDelete() async throws {
        try await Self.withAdmin { runtime, client, token in
            let created = try await AdminAPITests.call(client, .post, Self.base, token: token, json: Self.create)
            #expect(created.status == .created, "\(created.text)")
            #expect(created.headers[.eTag] == "\"1\"" || created.headers[.eTag] == "1")
            let body = try created.jsonObject()
            #expect(body["slug"] as? String == "corp")
            #expect(body["has_client_secret"] as? Bool == true)
            #expect(body["client_secret"] == nil)
            #expect(!created.text.contains("s3cret-value"))
            #expect(body["redirect_uri"] as? String == ServerFixture.publicURL + "/t/acme/login/upstream/callback")
            #expect(body["username_claim"] as? String == "email")
            #expect(body["token_endpoint_auth_method"] as? String == "client_secret_basic")
            // The secret is stored sealed, not in the clear.
            let tenant = try #require(try await runtime.store.tenant(slug: TenantSlug("acme")))
            let stored = try #require(try await runtime.store.identityProvider(tenantID: tenant.id, slug: "corp"))
            let sealed = try #require(stored.sealedClientSecret)
            #expect(!String(decoding: sealed, as: UTF8.self).contains("s3cret-value"))

            let list = try await AdminAPITests.call(client, .get, Self.base, token: token).jsonObject()
            #expect((list["items"] as? [[String: Any]])?.map { $0["slug"] as? String } == ["corp"])

            let stale = try await AdminAPITests.call(
                client, .patch, Self.base + "/corp", token: token, json: #"{"enabled":false}"#, ifMatch: "\"7\"")
            #expect(stale.status == .preconditionFailed)
            let updated = try await AdminAPITests.call(
                client, .patch, Self.base + "/corp", token: token, json: #"{"enabled":false,"name":"Corp SSO"}"#,
                ifMatch: "\"1\"")
            #expect(updated.status == .ok, "\(updated.text)")
            #expect(try updated.jsonObject()["enabled"] as? Bool == false)

            let deleted = try await AdminAPITests.call(client, .delete, Self.base + "/corp", token: token)
            #expect(deleted.status == .noContent)
            let gone = try await AdminAPITests.call(client, .get, Self.base + "/corp", token: token)
            #expect(gone.status == .notFound)
            #expect(gone.headers[.contentType] == "application/problem+json")

            let audit = try await runtime.store.auditEvents(tenantID: tenant.id, after: nil, limit: 500).map(\.action)
            #expect(audit.contains(.identityProviderCreate))
            #expect(audit.contains(.identityProviderUpdate))
            #expect(audit.contains(.identityProviderDelete))
        }
    }

    @Test func privateKeyJWTProvidersShowTheirOwnPublicKey() async throws {
        try await Self.withAdmin { _, client, token in
            let created = try await AdminAPITests.call(
                client, .post, Self.base, token: token,
                json:
                    #"{"slug":"jwt","name":"JWT","issuer":"https://login.corp.example","client_id":"tessera","token_endpoint_auth_method":"private_key_jwt"}"#
            )
            #expect(created.status == .created, "\(created.text)")
            let jwks = try #require(try created.jsonObject()["jwks"] as? String)
            let keys = try #require(
                (try JSONSerialization.jsonObject(with: Data(jwks.utf8)) as? [String: Any])?["keys"] as? [[String: Any]]
            )
            #expect(keys.count == 1)
            #expect(keys[0]["kty"] as? String == "EC")
            #expect(keys[0]["d"] == nil)
            #expect(try created.jsonObject()["has_client_secret"] as? Bool == false)
        }
    }

    @Test(arguments: [
        (
            #"{"slug":"x","name":"X","issuer":"https://a.example","client_id":"c","client_secret":"s","scopes":["email"]}"#,
            "scopes"
        ),
        (#"{"slug":"x","name":"X","issuer":"http://a.example","client_id":"c","client_secret":"s"}"#, "issuer"),
        (#"{"slug":"x","name":"X","issuer":"https://a.example?x=1","client_id":"c","client_secret":"s"}"#, "issuer"),
        (#"{"slug":"X Y","name":"X","issuer":"https://a.example","client_id":"c","client_secret":"s"}"#, "slug"),
        (#"{"slug":"x","name":"X","issuer":"https://a.example","client_id":"c"}"#, "client_secret"),
        (
            #"{"slug":"x","name":"X","issuer":"https://a.example","client_id":"c","client_secret":"s","token_endpoint_auth_method":"private_key_jwt"}"#,
            "client_secret"
        ),
        (
            #"{"slug":"x","name":"X","issuer":"https://a.example","client_id":"c","client_secret":"s","username_claim":""}"#,
            "claims.username"
        ),
        (#"{"slug":"x","name":"","issuer":"https://a.example","client_id":"c","client_secret":"s"}"#, "name"),
    ])
    func badInputIsAProblemNamingTheMemberAndWritesNothing(json: String, field: String) async throws {
        try await Self.withAdmin { runtime, client, token in
            let response = try await AdminAPITests.call(client, .post, Self.base, token: token, json: json)
            #expect(response.status == .unprocessableContent, "\(json): \(response.text)")
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(response.text.contains(field), "\(response.text)")
            let tenant = try #require(try await runtime.store.tenant(slug: TenantSlug("acme")))
            #expect(try await runtime.store.identityProviders(tenantID: tenant.id).isEmpty)
        }
    }

    @Test func aDuplicateSlugIsAConflict() async throws {
        try await Self.withAdmin { _, client, token in
            #expect(
                try await AdminAPITests.call(client, .post, Self.base, token: token, json: Self.create).status
                    == .created)
            let again = try await AdminAPITests.call(client, .post, Self.base, token: token, json: Self.create)
            #expect(again.status == .conflict)
        }
    }

    @Test func aNarrowAdminScopeDoesNotOpenProviders() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            try await ServerFixture.withClient(runtime) { client in
                let tenant = try await ServerFixture.acme(runtime)
                let (admin, secret) = try await runtime.administration.createClient(
                    in: tenant, .init(name: "Users", grants: ["client_credentials"], scopes: ["tessera:admin:users"]),
                    actor: "test")
                let token = try await AdminAPITests.token(
                    client, "acme", .init(id: admin.id, secret: try #require(secret)))
                let response = try await AdminAPITests.call(client, .get, Self.base, token: token)
                #expect(response.status == .forbidden)
            }
        }
    }
}
