import Foundation
import Logging
import TesseraCore
import TesseraStore

/// Finds the local user of an upstream identity: by the link of its `iss` and `sub`, never by
/// e-mail or username; without a link, creates one just in time when the tenant's
/// `upstream_user_creation` setting is on, and only when the mapped username is free (an
/// existing account of that name is never linked on its own: it may belong to someone else).
struct UpstreamAccounts: Sendable {
    let store: any Store
    let passwords: PasswordHasher
    let clock: @Sendable () -> Date

    enum Outcome: Sendable {
        case user(User)
        /// A page saying why not, with its status; `rule` names the refusal for the audit log.
        case refused(status: Int, message: String, rule: String)
    }

    func user(
        for identity: UpstreamIdentity, provider: IdentityProvider, tenant: TenantContext, requestID: String?
    ) async throws -> Outcome {
        if let link = try await store.upstreamAccountLink(
            tenantID: tenant.id, issuer: identity.issuer, subject: identity.subject)
        {
            guard let user = try await store.user(tenantID: tenant.id, id: link.userID), user.status == .active else {
                return .refused(status: 403, message: "Your account here is disabled.", rule: "user_disabled")
            }
            return .user(user)
        }
        guard tenant.settings.upstreamUserCreation else {
            return .refused(
                status: 403,
                message:
                    "No account of \(tenant.tenant.name) is linked to your \(provider.name) account. Ask an administrator to let \(provider.name) accounts sign up.",
                rule: "not_linked")
        }
        guard let claimed = identity.string(provider.claims.username),
            let username = try? User.normalizeUsername(claimed)
        else {
            return .refused(
                status: 400,
                message: "\(provider.name) did not send the \(provider.claims.username) claim that names your account.",
                rule: "username_claim_missing")
        }
        if try await store.user(tenantID: tenant.id, username: username) != nil {
            return taken(username, provider)
        }
        let now = clock()
        let user = User(
            tenantID: tenant.id, username: username,
            passwordHash: try await passwords.hash(RandomToken.generate()), createdAt: now)
        let link = UpstreamAccountLink(
            tenantID: tenant.id, issuer: identity.issuer, subject: identity.subject, userID: user.id,
            providerID: provider.id, email: identity.string(provider.claims.email),
            name: identity.string(provider.claims.name), createdAt: now)
        do {
            try await store.audited(
                AuditedChange(
                    tenantID: tenant.id, actor: "upstream:\(provider.slug)", requestID: requestID, at: now,
                    records: [
                        AuditRecord(
                            action: .userCreate, target: "user:\(user.id)",
                            details: AuditDetails().string("username", username)),
                        AuditRecord(
                            action: .upstreamAccountLink, target: "user:\(user.id)",
                            details: AuditDetails().string("iss", identity.issuer).string("sub", identity.subject)),
                    ])
            ) { operations in
                try await operations.insertUser(user)
                try await operations.insertUpstreamAccountLink(link)
            }
        } catch StoreError.conflict {
            // A concurrent first sign-in of the same account linked it first, or the name was
            // taken meanwhile.
            if let link = try await store.upstreamAccountLink(
                tenantID: tenant.id, issuer: identity.issuer, subject: identity.subject),
                let user = try await store.user(tenantID: tenant.id, id: link.userID), user.status == .active
            {
                return .user(user)
            }
            return taken(username, provider)
        }
        return .user(user)
    }

    private func taken(_ username: String, _ provider: IdentityProvider) -> Outcome {
        .refused(
            status: 409,
            message:
                "An account named \(username) already exists here and is not linked to your \(provider.name) account. It is not linked automatically; ask an administrator.",
            rule: "username_taken")
    }
}
