import Foundation
import HTTPTypes
import HummingbirdTesting
import TesseraCore
import TesseraJOSE
import TesseraServer
import TesseraTestSupport
import Testing

/// Metadata at both well-known locations and the JWKS (INTERFACE.md, HTTP; DESIGN.md, Signing
/// keys and rotation): public, cacheable, readable from any origin, and holding no private part.
@Suite("Discovery and JWKS")
struct DiscoveryRoutesTests {
    static let openIDPath = "/t/acme/.well-known/openid-configuration"
    static let rfc8414Path = "/.well-known/oauth-authorization-server/t/acme"
    static let jwksPath = "/t/acme/jwks.json"

    @Test func bothWellKnownPathsServeTheSameMetadataDocument() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            _ = try await ServerFixture.acme(runtime)
            try await ServerFixture.withClient(runtime) { client in
                let openID = try await client.execute(uri: Self.openIDPath, method: .get)
                let rfc8414 = try await client.execute(uri: Self.rfc8414Path, method: .get)
                #expect(openID.status == .ok)
                #expect(rfc8414.status == .ok)
                #expect(openID.text == rfc8414.text)
                #expect(openID.headers[.contentType]?.hasPrefix("application/json") == true)
                #expect(openID.headers[.accessControlAllowOrigin] == "*")
                #expect(rfc8414.headers[.accessControlAllowOrigin] == "*")

                let document = try openID.jsonObject()
                #expect(document["issuer"] as? String == "http://127.0.0.1:8080/t/acme")
                #expect(document["jwks_uri"] as? String == "http://127.0.0.1:8080/t/acme/jwks.json")
                #expect(document["code_challenge_methods_supported"] as? [String] == ["S256"])
                let scopes = try #require(document["scopes_supported"] as? [String])
                #expect(scopes.contains("openid"))
            }
        }
    }

    @Test func eachTenantIsItsOwnIssuer() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            _ = try await ServerFixture.acme(runtime)
            _ = try await runtime.administration.createTenant(slug: "globex", name: nil, actor: "test")
            try await ServerFixture.withClient(runtime) { client in
                let acme = try await client.execute(uri: Self.openIDPath, method: .get).jsonObject()
                let globex = try await client.execute(
                    uri: "/t/globex/.well-known/openid-configuration", method: .get
                ).jsonObject()
                #expect(acme["issuer"] as? String == "http://127.0.0.1:8080/t/acme")
                #expect(globex["issuer"] as? String == "http://127.0.0.1:8080/t/globex")
                #expect(globex["jwks_uri"] as? String == "http://127.0.0.1:8080/t/globex/jwks.json")
            }
        }
    }

    @Test(arguments: [
        "/t/nobody/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server/t/nobody",
        "/t/nobody/jwks.json",
        "/t/Not_A_Slug/jwks.json",
        "/t/-dash-first/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server/t/UPPER",
        "/t/\(String(repeating: "a", count: 64))/jwks.json",
    ])
    func anUnknownTenantOrInvalidSlugIsA404WithAJSONError(path: String) async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            _ = try await ServerFixture.acme(runtime)
            try await ServerFixture.withClient(runtime) { client in
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                let body = try response.jsonObject()
                #expect(body["error"] as? String == "not_found")
                #expect(body["error_description"] is String)
            }
        }
    }

    @Test func aDisabledTenantIsNotServed() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            var tenant = try await ServerFixture.acme(runtime)
            tenant.status = .disabled
            tenant.version += 1
            try await runtime.store.updateTenant(tenant)
            try await ServerFixture.withClient(runtime) { client in
                for path in [Self.openIDPath, Self.rfc8414Path, Self.jwksPath] {
                    let response = try await client.execute(uri: path, method: .get)
                    #expect(response.status == .notFound, "\(path)")
                }
            }
        }
    }

    @Test(arguments: TestBackend.allCases)
    func theJWKSIsCacheableCrossOriginAndTaggedShorterThanPublishAhead(backend: TestBackend) async throws {
        try await ServerFixture.withRuntime(backend) { runtime in
            let tenant = try await ServerFixture.acme(runtime)
            try await ServerFixture.withClient(runtime) { client in
                let response = try await client.execute(uri: Self.jwksPath, method: .get)
                #expect(response.status == .ok)
                #expect(response.headers[.accessControlAllowOrigin] == "*")
                #expect(response.headers[.contentType] == "application/jwk-set+json")
                let cacheControl = try #require(response.headers[.cacheControl])
                #expect(cacheControl.hasPrefix("public"))
                let maxAge = try #require(Inspect.maxAge(cacheControl))
                #expect(maxAge > 0)
                #expect(maxAge < tenant.settings.keyPublishAhead)
                let etag = try #require(response.headers[.eTag])
                #expect(etag.count > 2 && etag.hasPrefix("\"") && etag.hasSuffix("\""))
            }
        }
    }

    @Test func theJWKSCacheLifetimeFollowsTheTenantsPublishAhead() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            _ = try await ServerFixture.acme(runtime)
            let tenant = try await runtime.administration.updateSettings(
                of: try await runtime.administration.tenant("acme"), [.keyPublishAhead: 60],
                actor: "test")
            try await ServerFixture.withClient(runtime) { client in
                let response = try await client.execute(uri: Self.jwksPath, method: .get)
                let maxAge = try #require(Inspect.maxAge(response.headers[.cacheControl]))
                #expect(maxAge < tenant.settings.keyPublishAhead)
                #expect(maxAge < 60)
            }
        }
    }

    @Test func aMatchingIfNoneMatchIsAnswered304WithoutABody() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            _ = try await ServerFixture.acme(runtime)
            try await ServerFixture.withClient(runtime) { client in
                let first = try await client.execute(uri: Self.jwksPath, method: .get)
                let etag = try #require(first.headers[.eTag])

                let again = try await client.execute(uri: Self.jwksPath, method: .get, headers: [.ifNoneMatch: etag])
                #expect(again.status == .notModified)
                #expect(again.body.readableBytes == 0)
                #expect(again.headers[.eTag] == etag)
                #expect(again.headers[.accessControlAllowOrigin] == "*")
                #expect(Inspect.maxAge(again.headers[.cacheControl]) == Inspect.maxAge(first.headers[.cacheControl]))

                let inAList = try await client.execute(
                    uri: Self.jwksPath, method: .get, headers: [.ifNoneMatch: "\"stale\", \(etag)"])
                #expect(inAList.status == .notModified)

                let stale = try await client.execute(
                    uri: Self.jwksPath, method: .get, headers: [.ifNoneMatch: "\"stale\""])
                #expect(stale.status == .ok)
                #expect(stale.text == first.text)
            }
        }
    }

    @Test func aRotationChangesTheETagSoCachesRefetch() async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            let tenant = try await ServerFixture.acme(runtime)
            try await ServerFixture.withClient(runtime) { client in
                let before = try await client.execute(uri: Self.jwksPath, method: .get)
                let etag = try #require(before.headers[.eTag])
                try await runtime.keyManagement.rotate(tenant, actor: "test")
                // What the change follower does on every instance when the feed reports the rotation.
                try await runtime.tenants.apply(Change(tenantID: tenant.id, kind: .keys, changedAt: Date()))

                let after = try await client.execute(uri: Self.jwksPath, method: .get, headers: [.ifNoneMatch: etag])
                #expect(after.status == .ok)
                #expect(after.headers[.eTag] != etag)
                #expect(try Inspect.jwksKids(after.text).count == 3)
            }
        }
    }

    @Test(arguments: [DiscoveryRoutesTests.openIDPath, DiscoveryRoutesTests.rfc8414Path, DiscoveryRoutesTests.jwksPath])
    func aCORSPreflightIsAnswered(path: String) async throws {
        try await ServerFixture.withRuntime(.sqlite) { runtime in
            _ = try await ServerFixture.acme(runtime)
            try await ServerFixture.withClient(runtime) { client in
                let response = try await client.execute(
                    uri: path, method: .options,
                    headers: [
                        HTTPField.Name("Origin")!: "https://app.example",
                        HTTPField.Name("Access-Control-Request-Method")!: "GET",
                    ])
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == "*")
                let methods = try #require(response.headers[.accessControlAllowMethods])
                #expect(methods.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.contains("GET"))
            }
        }
    }

    @Test(arguments: TestBackend.allCases)
    func aNewTenantsJWKSHoldsExactlyItsCurrentAndNextKeysAndNoPrivatePart(backend: TestBackend) async throws {
        try await ServerFixture.withRuntime(backend) { runtime in
            let tenant = try await ServerFixture.acme(runtime)
            let records = try await runtime.store.signingKeys(tenantID: tenant.id)
            let current = try records.only(.current)
            let next = try records.only(.next)
            try await ServerFixture.withClient(runtime) { client in
                let response = try await client.execute(uri: Self.jwksPath, method: .get)
                let keys = try Inspect.jwksKeys(response.text)
                #expect(try Inspect.jwksKids(response.text) == [current.kid, next.kid])
                for key in keys {
                    for member in privateJWKMembers {
                        #expect(key[member] == nil, "JWKS key \(key["kid"] ?? "?") carries private member \(member)")
                    }
                    #expect(key["kty"] as? String == "EC")
                    #expect(key["crv"] as? String == "P-256")
                    #expect(key["alg"] as? String == "ES256")
                    #expect(key["x"] is String && key["y"] is String)
                }
                // A second tenant's keys are not in this one's set.
                let system = try #require(try await runtime.store.tenant(slug: .system))
                let systemKids = Set(try await runtime.store.signingKeys(tenantID: system.id).map(\.kid))
                #expect(systemKids.isDisjoint(with: try Inspect.jwksKids(response.text)))
            }
        }
    }
}
