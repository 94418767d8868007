import Foundation
import TesseraCore
import TesseraStore

/// Small builders so each conformance test says only what it is about.
enum Fixtures {
    static let now = Date(timeIntervalSince1970: 1_790_000_000.123)

    static func tenant(_ slug: String = "t-\(UUID().uuidString.prefix(8).lowercased())") throws -> Tenant {
        Tenant(slug: try TenantSlug(slug), name: "Tenant \(slug)", createdAt: now)
    }

    static func client(in tenant: Tenant, id: String = Client.generateID()) throws -> Client {
        Client(
            tenantID: tenant.id, id: id, name: "Orders service", authMethod: .clientSecretBasic,
            secretHash: SecretHash(of: "s3cret"), grantTypes: [.clientCredentials, .authorizationCode],
            scopes: try ScopeSet(parsing: "orders:read orders:write"),
            redirectURIs: [try RedirectURI("https://app.example.com/callback")],
            audiences: ["https://api.example.com"], accessTokenTTL: 300, createdAt: now)
    }

    static func user(in tenant: Tenant, _ name: String = "alice") -> User {
        User(tenantID: tenant.id, username: name, passwordHash: "$2b$10$notarealhash", createdAt: now)
    }

    static func key(in tenant: Tenant, kid: String = UUID().uuidString, state: KeyState) -> SigningKeyRecord {
        SigningKeyRecord(
            tenantID: tenant.id, kid: kid, algorithm: .es256, state: state, publicJWK: #"{"kty":"EC"}"#,
            sealedPrivateKey: [1, 2, 3], createdAt: now, activatedAt: state == .current ? now : nil)
    }

    /// Inserts a fresh tenant and returns it.
    static func insertedTenant(_ store: any Store) async throws -> Tenant {
        let tenant = try tenant()
        try await store.insertTenant(tenant)
        return tenant
    }
}

func isConflict(_ error: any Error) -> Bool {
    if case StoreError.conflict = error { return true }
    return false
}

func closeEnough(_ a: Date?, _ b: Date?) -> Bool {
    guard let a, let b else { return a == nil && b == nil }
    return abs(a.timeIntervalSince(b)) < 0.002
}
