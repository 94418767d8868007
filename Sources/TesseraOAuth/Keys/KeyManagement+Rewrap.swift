import Foundation
import TesseraCore
import TesseraJOSE
import TesseraStore

/// What `tessera keys rewrap` re-sealed under the sealing master key.
public struct RewrapReport: Sendable, Equatable {
    public var signingKeys = 0
    public var totpSecrets = 0
    public var providerSecrets = 0
    public var tenants = 0

    public var total: Int { signingKeys + totpSecrets + providerSecrets }
}

/// A stored secret that opens with no key of the master key set: rewrap cannot move it.
public struct RewrapError: Error, CustomStringConvertible, Sendable {
    public let tenant: String
    public let what: String
    public var description: String {
        "tenant '\(tenant)': \(what) opens with no master key given (TESSERA_MASTER_KEY or TESSERA_ACCEPTED_MASTER_KEYS)"
    }
}

extension KeyManagement {
    /// The online rewrap (docs/master-key-change.md): everything sealed at rest that opens only
    /// with an accepted master key is sealed again under the sealing one, while every instance
    /// serves. One short transaction per tenant (signing keys and identity-provider secrets, with
    /// its `key.rewrap` audit event and a change-feed entry, so instances reload the keys) and per
    /// page of TOTP secrets, never one over the whole database. What already opens with the
    /// sealing key is left alone, so a second run, or one after an interruption, re-seals only
    /// what is left.
    public func rewrap(actor: String) async throws -> RewrapReport {
        let sealing = masterKey.sealingOnly
        var report = RewrapReport()
        var cursor: TenantSlug?
        while true {
            let tenants = try await store.tenants(after: cursor, limit: 200)
            for tenant in tenants {
                let moved = try await rewrap(tenant, sealing: sealing, actor: actor)
                report.signingKeys += moved.signingKeys
                report.totpSecrets += moved.totpSecrets
                report.providerSecrets += moved.providerSecrets
                if moved.total > 0 { report.tenants += 1 }
            }
            guard tenants.count == 200 else { return report }
            cursor = tenants.last?.slug
        }
    }

    private func rewrap(_ tenant: Tenant, sealing: MasterKey, actor: String) async throws -> RewrapReport {
        var report = RewrapReport()
        let masterKey = self.masterKey
        // Signing keys and provider secrets: few per tenant, one transaction.
        var keyUpdates: [(record: SigningKeyRecord, expected: KeyState)] = []
        for record in try await store.signingKeys(tenantID: tenant.id) {
            guard let sealed = record.sealedPrivateKey,
                let resealed = try Self.resealed(
                    sealed, tenant: tenant, kid: record.kid, what: "signing key \(record.kid)", masterKey: masterKey,
                    sealing: sealing)
            else { continue }
            var updated = record
            updated.sealedPrivateKey = resealed
            keyUpdates.append((updated, record.state))
        }
        var providerUpdates: [IdentityProvider] = []
        for provider in try await store.identityProviders(tenantID: tenant.id) {
            var updated = provider
            if let sealed = provider.sealedClientSecret {
                let kid = IdentityProvider.secretKeyID(provider.id)
                updated.sealedClientSecret =
                    try Self.resealed(
                        sealed, tenant: tenant, kid: kid, what: "identity provider \(provider.slug)'s client secret",
                        masterKey: masterKey, sealing: sealing) ?? sealed
            }
            if let key = provider.assertionKey,
                let resealed = try Self.resealed(
                    key.sealedPrivateKey, tenant: tenant, kid: key.kid,
                    what: "identity provider \(provider.slug)'s signing key", masterKey: masterKey, sealing: sealing)
            {
                updated.assertionKey = IdentityProvider.AssertionKey(
                    kid: key.kid, publicJWK: key.publicJWK, sealedPrivateKey: resealed)
            }
            if updated.sealedClientSecret != provider.sealedClientSecret
                || updated.assertionKey?.sealedPrivateKey != provider.assertionKey?.sealedPrivateKey
            {
                updated.version += 1
                updated.updatedAt = clock()
                providerUpdates.append(updated)
            }
        }
        // TOTP secrets: as many as the tenant's users, so in pages, each its own transaction.
        let factors = SecondFactors(store: store, masterKey: masterKey)
        var after: UUID?
        while true {
            let page = try await store.totpFactors(tenantID: tenant.id, after: after, limit: 500)
            var reseals: [(userID: UUID, old: [UInt8], new: [UInt8])] = []
            for factor in page
            where !factors.opensWithSealingKey(factor.sealedSecret, tenantID: tenant.id, userID: factor.userID) {
                guard let secret = try? factors.open(factor.sealedSecret, tenantID: tenant.id, userID: factor.userID)
                else { throw RewrapError(tenant: tenant.slug.rawValue, what: "user \(factor.userID)'s TOTP secret") }
                reseals.append(
                    (
                        factor.userID, factor.sealedSecret,
                        try factors.seal(secret, tenantID: tenant.id, userID: factor.userID)
                    ))
            }
            if !reseals.isEmpty {
                let batch = reseals
                report.totpSecrets += try await store.transaction { operations in
                    var count = 0
                    for reseal in batch
                    where try await operations.resealTOTP(
                        tenantID: tenant.id, userID: reseal.userID, from: reseal.old, to: reseal.new)
                    {
                        count += 1
                    }
                    return count
                }
            }
            guard page.count == 500 else { break }
            after = page.last?.userID
        }
        report.signingKeys = keyUpdates.count
        report.providerSecrets = providerUpdates.count
        guard report.total > 0 else { return report }
        let updates = keyUpdates
        let providers = providerUpdates
        try await store.audited(
            AuditedChange(
                tenantID: tenant.id, actor: actor, requestID: nil, at: clock(),
                records: [
                    AuditRecord(
                        action: .keyRewrap, target: "*",
                        details: AuditDetails().number("signing_keys", report.signingKeys)
                            .number("totp_secrets", report.totpSecrets)
                            .number("provider_secrets", report.providerSecrets))
                ], feed: (.keys, ""))
        ) { operations in
            for update in updates {
                try await operations.updateSigningKey(update.record, expectedState: update.expected)
            }
            for provider in providers { try await operations.updateIdentityProvider(provider) }
        }
        return report
    }

    /// `sealed` sealed again under the sealing key, or nil when it opens with it already.
    private static func resealed(
        _ sealed: [UInt8], tenant: Tenant, kid: String, what: String, masterKey: MasterKey, sealing: MasterKey
    ) throws -> [UInt8]? {
        if (try? sealing.open(sealed, tenantID: tenant.id, kid: kid)) != nil { return nil }
        guard let opened = try? masterKey.open(sealed, tenantID: tenant.id, kid: kid) else {
            throw RewrapError(tenant: tenant.slug.rawValue, what: what)
        }
        return try sealing.seal(opened, tenantID: tenant.id, kid: kid)
    }

    /// The offline rewrap (`--new-master-key-file`, every instance stopped): everything sealed at
    /// rest under this key set (signing keys, TOTP and identity-provider secrets) moved to
    /// `newMasterKey`, the same way as online. Resumable: run again after an interruption, it
    /// moves only what is left.
    public func rewrap(to newMasterKey: MasterKey, actor: String) async throws -> RewrapReport {
        try await KeyManagement(store: store, masterKey: masterKey.handingOver(to: newMasterKey), clock: clock)
            .rewrap(actor: actor)
    }

}
