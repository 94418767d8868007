import Foundation
import TesseraCore
import TesseraJOSE
import TesseraStore

// Upstream identity providers of one tenant (docs/upstream-identity-providers.md): created with
// a client secret (sealed at once, never shown again) or with a signing key of their own for
// private_key_jwt (its public JWK shown, to register upstream).

extension Administration {
    /// What an admin gives to add a provider.
    public struct IdentityProviderInput: Sendable {
        public var slug: String
        public var name: String
        public var issuer: String
        public var clientID: String
        public var authentication: IdentityProvider.ClientAuthentication
        public var clientSecret: String?
        public var scopes: [String]
        public var claims: IdentityProvider.ClaimMapping
        public var enabled: Bool

        public init(
            slug: String, name: String, issuer: String, clientID: String,
            authentication: IdentityProvider.ClientAuthentication = .clientSecretBasic, clientSecret: String? = nil,
            scopes: [String] = ["openid", "profile", "email"], claims: IdentityProvider.ClaimMapping = .standard,
            enabled: Bool = true
        ) {
            self.slug = slug
            self.name = name
            self.issuer = issuer
            self.clientID = clientID
            self.authentication = authentication
            self.clientSecret = clientSecret
            self.scopes = scopes
            self.claims = claims
            self.enabled = enabled
        }
    }

    /// What an admin may change; nil members stay as they are.
    public struct IdentityProviderChanges: Sendable {
        public var name: String?
        public var clientSecret: String?
        public var scopes: [String]?
        public var claims: IdentityProvider.ClaimMapping?
        public var enabled: Bool?

        public init(
            name: String? = nil, clientSecret: String? = nil, scopes: [String]? = nil,
            claims: IdentityProvider.ClaimMapping? = nil, enabled: Bool? = nil
        ) {
            self.name = name
            self.clientSecret = clientSecret
            self.scopes = scopes
            self.claims = claims
            self.enabled = enabled
        }
    }

    public func identityProviders(in tenant: Tenant) async throws -> [IdentityProvider] {
        try await store.identityProviders(tenantID: tenant.id)
    }

    public func identityProvider(in tenant: Tenant, slug: String) async throws -> IdentityProvider {
        guard let provider = try await store.identityProvider(tenantID: tenant.id, slug: slug) else {
            throw AdministrationError.unknownIdentityProvider(slug)
        }
        return provider
    }

    public func createIdentityProvider(
        in tenant: Tenant, _ input: IdentityProviderInput, actor: String, requestID: String? = nil
    ) async throws -> IdentityProvider {
        let id = UUID()
        let now = clock()
        var sealedSecret: [UInt8]?
        var key: IdentityProvider.AssertionKey?
        if input.authentication.usesSecret {
            guard let secret = input.clientSecret else {
                throw ValidationError(
                    field: "client_secret", "\(input.authentication.rawValue) needs the client secret")
            }
            sealedSecret = try seal(try IdentityProvider.validateSecret(secret), tenantID: tenant.id, providerID: id)
        } else {
            guard input.clientSecret == nil else {
                throw ValidationError(
                    field: "client_secret", "private_key_jwt uses the provider's own key, not a secret")
            }
            let generated = try KeyGenerator.generate(.es256)
            let record = try generated.record(
                tenantID: tenant.id, state: .current, now: now, masterKey: keyProvisioner.masterKey)
            guard let sealed = record.sealedPrivateKey else {
                throw ValidationError(field: "token_endpoint_auth_method", "the signing key could not be sealed")
            }
            key = IdentityProvider.AssertionKey(kid: record.kid, publicJWK: record.publicJWK, sealedPrivateKey: sealed)
        }
        let provider = IdentityProvider(
            tenantID: tenant.id, id: id, slug: try IdentityProvider.validateSlug(input.slug),
            name: try IdentityProvider.validateName(input.name),
            issuer: try IdentityProvider.validateIssuer(input.issuer),
            clientID: try IdentityProvider.validateClientID(input.clientID), authentication: input.authentication,
            sealedClientSecret: sealedSecret, assertionKey: key,
            scopes: try IdentityProvider.validateScopes(input.scopes),
            claims: try IdentityProvider.validateClaims(input.claims), enabled: input.enabled, createdAt: now)
        do {
            try await store.audited(
                AuditedChange(
                    tenantID: tenant.id, actor: actor, requestID: requestID, at: now,
                    records: [
                        AuditRecord(
                            action: .identityProviderCreate, target: "identity_provider:\(provider.slug)",
                            details: AuditDetails().string("issuer", provider.issuer).string(
                                "token_endpoint_auth_method", provider.authentication.rawValue))
                    ])
            ) { operations in try await operations.insertIdentityProvider(provider) }
        } catch StoreError.conflict {
            throw AdministrationError.duplicate("identity provider '\(provider.slug)' in tenant '\(tenant.slug)'")
        }
        return provider
    }

    public func updateIdentityProvider(
        in tenant: Tenant, slug: String, _ changes: IdentityProviderChanges, expectedVersion: Int?, actor: String,
        requestID: String? = nil
    ) async throws -> IdentityProvider {
        var provider = try await identityProvider(in: tenant, slug: slug)
        try Administration.check(expectedVersion, current: provider.version)
        var changed: [String] = []
        if let name = changes.name {
            provider.name = try IdentityProvider.validateName(name)
            changed.append("name")
        }
        if let secret = changes.clientSecret {
            guard provider.authentication.usesSecret else {
                throw ValidationError(
                    field: "client_secret", "private_key_jwt uses the provider's own key, not a secret")
            }
            provider.sealedClientSecret = try seal(
                try IdentityProvider.validateSecret(secret), tenantID: tenant.id, providerID: provider.id)
            changed.append("client_secret")
        }
        if let scopes = changes.scopes {
            provider.scopes = try IdentityProvider.validateScopes(scopes)
            changed.append("scopes")
        }
        if let claims = changes.claims {
            provider.claims = try IdentityProvider.validateClaims(claims)
            changed.append("claims")
        }
        if let enabled = changes.enabled {
            provider.enabled = enabled
            changed.append("enabled")
        }
        return try await saveNextVersion(
            provider, in: tenant.id,
            [
                AuditRecord(
                    action: .identityProviderUpdate, target: "identity_provider:\(slug)",
                    details: AuditDetails().strings("changed", changed))
            ], actor: actor, requestID: requestID
        ) { operations, saved in try await operations.updateIdentityProvider(saved) }
    }

    public func deleteIdentityProvider(
        in tenant: Tenant, slug: String, actor: String, requestID: String? = nil
    ) async throws {
        let provider = try await identityProvider(in: tenant, slug: slug)
        try await store.audited(
            AuditedChange(
                tenantID: tenant.id, actor: actor, requestID: requestID, at: clock(),
                records: [AuditRecord(action: .identityProviderDelete, target: "identity_provider:\(slug)")])
        ) { operations in
            guard try await operations.deleteIdentityProvider(tenantID: tenant.id, id: provider.id) else {
                throw AdministrationError.unknownIdentityProvider(slug)
            }
        }
    }

    /// The secret sealed as signing keys are (AES-256-GCM under the master key), bound to the
    /// tenant and the provider.
    private func seal(_ secret: String, tenantID: UUID, providerID: UUID) throws -> [UInt8] {
        try keyProvisioner.masterKey.seal(
            Array(secret.utf8), tenantID: tenantID, kid: IdentityProvider.secretKeyID(providerID))
    }
}
