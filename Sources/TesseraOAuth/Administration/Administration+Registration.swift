import Foundation
import TesseraCore
import TesseraStore

// Dynamic client registration of one tenant (docs/dynamic-client-registration.md): initial
// access tokens, the registration policy, and an administrator's word on registered clients.

extension Administration {
    /// An initial access token (RFC 7591 §3), shown here once and stored as its SHA-256.
    public func createRegistrationToken(
        in tenant: Tenant, uses: Int?, lifetime: Int, actor: String, requestID: String? = nil
    ) async throws -> (token: RegistrationToken, value: String) {
        guard RegistrationToken.lifetimeRange.contains(lifetime) else {
            throw ValidationError(
                field: "ttl",
                "must be between \(RegistrationToken.lifetimeRange.lowerBound) and \(RegistrationToken.lifetimeRange.upperBound) seconds"
            )
        }
        if let uses, !RegistrationToken.usesRange.contains(uses) {
            throw ValidationError(field: "uses", "must be between 1 and \(RegistrationToken.usesRange.upperBound)")
        }
        let value = RandomToken.generate()
        let now = clock()
        let token = RegistrationToken(
            tenantID: tenant.id, tokenHash: SecretHash(of: value), usesLeft: uses,
            expiresAt: now.addingTimeInterval(TimeInterval(lifetime)), createdAt: now, createdBy: actor)
        try await store.audited(
            AuditedChange(
                tenantID: tenant.id, actor: actor, requestID: requestID, at: now,
                records: [
                    AuditRecord(
                        action: .registrationTokenCreate, target: token.id.uuidString.lowercased(),
                        details: AuditDetails().number("uses", uses ?? 0).number("ttl", lifetime))
                ])
        ) { operations in try await operations.insertRegistrationToken(token) }
        return (token, value)
    }

    public func registrationTokens(in tenant: Tenant) async throws -> [RegistrationToken] {
        try await store.registrationTokens(tenantID: tenant.id)
    }

    public func revokeRegistrationToken(
        in tenant: Tenant, id: UUID, actor: String, requestID: String? = nil
    ) async throws {
        try await store.audited(
            AuditedChange(
                tenantID: tenant.id, actor: actor, requestID: requestID, at: clock(),
                records: [AuditRecord(action: .registrationTokenRevoke, target: id.uuidString.lowercased())])
        ) { operations in
            guard try await operations.deleteRegistrationToken(tenantID: tenant.id, id: id) else {
                throw AdministrationError.unknownRegistrationToken(id.uuidString.lowercased())
            }
        }
    }

    /// The tenant's policy, or the defaults while it never set one (version 0).
    public func registrationPolicy(of tenant: Tenant) async throws -> RegistrationPolicy {
        try await store.registrationPolicy(tenantID: tenant.id) ?? .defaults
    }

    /// Replaces the policy as a whole; every scope must be the tenant's.
    public func setRegistrationPolicy(
        of tenant: Tenant, _ policy: RegistrationPolicy, expectedVersion: Int?, actor: String,
        requestID: String? = nil
    ) async throws -> RegistrationPolicy {
        try policy.validate()
        let known = Set(try await store.scopes(tenantID: tenant.id).map(\.name))
        if let unknown = policy.scopes.first(where: { !known.contains($0) }) {
            throw AdministrationError.unknownScope(unknown)
        }
        let current = try await registrationPolicy(of: tenant)
        try Self.check(expectedVersion, current: current.version)
        var next = policy
        next.grantTypes = Self.unique(policy.grantTypes)
        next.scopes = Self.unique(policy.scopes)
        next.version = current.version + 1
        next.updatedAt = clock()
        let saved = next
        do {
            try await store.audited(
                AuditedChange(
                    tenantID: tenant.id, actor: actor, requestID: requestID, at: clock(),
                    records: [
                        AuditRecord(
                            action: .registrationPolicyUpdate, target: "registration_policy",
                            details: AuditDetails().strings("grant_types", saved.grantTypes.map(\.rawValue))
                                .strings("scopes", saved.scopes))
                    ])
            ) { operations in try await operations.saveRegistrationPolicy(saved, tenantID: tenant.id) }
        } catch StoreError.conflict {
            throw AdministrationError.versionMismatch(current: nil)
        }
        return saved
    }

    /// An administrator vouches for a client that registered itself (the consent page stops
    /// marking it), or takes that back.
    public func verifyClient(
        in tenant: Tenant, id: String, verified: Bool, actor: String, requestID: String? = nil
    ) async throws -> Client {
        var changes = ClientChanges()
        changes.verified = verified
        return try await updateClient(
            in: tenant, id: id, changes, expectedVersion: nil, actor: actor, requestID: requestID)
    }
}
