import Crypto
import Foundation
import Logging
import TesseraCore
import TesseraJOSE
import TesseraStore

/// "Sign in with {provider}": Tessera as the relying party of a tenant's upstream OpenID
/// Provider (OIDC Core §3.1, the authorization code flow with PKCE), inside the pending
/// interaction of the login page, so the original authorization request continues afterwards.
/// docs/upstream-identity-providers.md.
public struct UpstreamSignIn: Sendable {
    let store: any Store
    let flow: AuthorizationFlow
    let directory: UpstreamDirectory
    let tokens: UpstreamTokenClient
    let accounts: UpstreamAccounts
    let clock: @Sendable () -> Date

    public init(
        store: any Store, flow: AuthorizationFlow, fetcher: OutboundFetcher, masterKey: MasterKey,
        passwords: PasswordHasher, clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.flow = flow
        self.directory = UpstreamDirectory(fetcher: fetcher, clock: clock)
        self.tokens = UpstreamTokenClient(fetcher: fetcher, masterKey: masterKey, clock: clock)
        self.accounts = UpstreamAccounts(store: store, passwords: passwords, clock: clock)
        self.clock = clock
    }

    /// The fixed redirect URI of a tenant, registered at every upstream provider.
    public static func redirectURI(issuer: String) -> String { issuer + AccountPaths.upstreamCallback }

    // MARK: - Start

    /// The login page's "Sign in with …" form was submitted (CSRF checked): the redirect to the
    /// upstream's authorization endpoint, and the sealed transaction for the browser's cookie.
    public func start(
        form: FormParameters, tenant: TenantContext, browserID: String, logger: Logger
    ) async -> (step: InteractionStep, transaction: String?) {
        guard let pending = flow.openPending(form["pending"], tenant: tenant) else {
            return (AuthorizationFlow.expired, nil)
        }
        let provider: IdentityProvider
        switch await enabledProvider(
            logger, { try await store.identityProvider(tenantID: tenant.id, slug: form["provider"] ?? "") })
        {
        case .success(let found): provider = found
        case .failure(let refusal): return (refusal.step, nil)
        }
        let metadata: UpstreamMetadata
        do throws(UpstreamFailure) {
            metadata = try await directory.metadata(issuer: provider.issuer)
        } catch {
            logger.warning(
                "Upstream discovery failed", metadata: ["provider": "\(provider.slug)", "error": "\(error)"])
            return (.errorPage(status: 400, message: "\(provider.name) cannot be reached now: \(error)."), nil)
        }
        let transaction = UpstreamTransaction(
            pending: pending, providerID: provider.id, state: RandomToken.generate(), nonce: RandomToken.generate(),
            verifier: RandomToken.generate(), browserID: browserID,
            expiresAt: clock().addingTimeInterval(UpstreamTransaction.lifetime))
        guard let sealed = flow.sealer.seal(transaction, purpose: .upstream, tenantID: tenant.id) else {
            return (AuthorizationFlow.unavailable, nil)
        }
        // RFC 7636 §4.2: S256 of the verifier; OIDC Core §3.1.2.1 for the rest.
        let challenge = Base64URL.encode(SHA256.hash(data: Array(transaction.verifier.utf8)))
        let location = AuthorizationRequest.append(
            [
                ("response_type", "code"), ("client_id", provider.clientID),
                ("redirect_uri", Self.redirectURI(issuer: tenant.issuer)),
                ("scope", provider.scopes.joined(separator: " ")), ("state", transaction.state),
                ("nonce", transaction.nonce), ("code_challenge", challenge), ("code_challenge_method", "S256"),
            ], to: metadata.authorizationEndpoint)
        return (.redirect(location), sealed)
    }

    // MARK: - Callback

    /// The upstream's authorization response arrived at the callback (OIDC Core §3.1.2.5–6)
    /// with the browser's sealed transaction. Signed in (with the session to set), on to the
    /// second factor, or a page that says why not; the transaction is spent either way.
    public func finish(
        query: String, transaction sealed: String?, browserID: String?, tenant: TenantContext, requestID: String?,
        logger: Logger
    ) async -> (InteractionStep, LoginSession?) {
        guard let parameters = try? FormParameters(body: query) else {
            return (.errorPage(status: 400, message: "The answer from the identity provider is malformed."), nil)
        }
        guard let sealed,
            let transaction = flow.sealer.open(
                sealed, as: UpstreamTransaction.self, purpose: .upstream, tenantID: tenant.id),
            transaction.expiresAt > clock(), let browserID,
            ConstantTime.equals(Array(transaction.browserID.utf8), Array(browserID.utf8))
        else {
            return (
                .errorPage(
                    status: 400,
                    message:
                        "This sign-in has expired or was started in another browser. Go back to the application and start again."
                ), nil
            )
        }
        // RFC 6749 §10.12: the answer must belong to the request this browser started.
        guard let state = parameters["state"], ConstantTime.equals(Array(state.utf8), Array(transaction.state.utf8))
        else {
            return (
                .errorPage(
                    status: 400, message: "The answer from the identity provider does not belong to this sign-in."),
                nil
            )
        }
        let provider: IdentityProvider
        switch await enabledProvider(
            logger, { try await store.identityProvider(tenantID: tenant.id, id: transaction.providerID) })
        {
        case .success(let found): provider = found
        case .failure(let refusal): return (refusal.step, nil)
        }
        let identity: UpstreamIdentity
        do {
            identity = try await verifiedIdentity(
                parameters, transaction: transaction, provider: provider, tenant: tenant)
        } catch let refusal as AuthorizationRefusal {
            await audit(.upstreamLoginFailure, provider, tenant, requestID, reason: refusal.message)
            return (.errorPage(status: 400, message: refusal.message), nil)
        } catch {
            await audit(.upstreamLoginFailure, provider, tenant, requestID, reason: "\(error)")
            logger.info("Upstream sign-in refused", metadata: ["provider": "\(provider.slug)", "reason": "\(error)"])
            return (.errorPage(status: 400, message: "Signing in with \(provider.name) failed: \(error)."), nil)
        }
        let user: User
        do {
            switch try await accounts.user(for: identity, provider: provider, tenant: tenant, requestID: requestID) {
            case .user(let found): user = found
            case .refused(let status, let message, let rule):
                await audit(.upstreamLoginFailure, provider, tenant, requestID, reason: rule, subject: identity.subject)
                return (.errorPage(status: status, message: message), nil)
            }
        } catch {
            return (AuthorizationFlow.unavailable(error, while: "finding the linked account", logger: logger), nil)
        }
        return await continueSignIn(
            user, provider: provider, purpose: transaction.pending.purpose, tenant: tenant,
            requestID: requestID, logger: logger)
    }

    /// The page instead of a provider.
    struct Refusal: Error {
        let step: InteractionStep
    }

    /// The provider `lookUp` finds, if it is enabled; otherwise the page that says so.
    private func enabledProvider(
        _ logger: Logger, _ lookUp: () async throws -> IdentityProvider?
    ) async -> Result<IdentityProvider, Refusal> {
        do {
            guard let found = try await lookUp(), found.enabled else {
                return .failure(
                    Refusal(step: .errorPage(status: 400, message: "This sign-in option is not available.")))
            }
            return .success(found)
        } catch {
            return .failure(
                Refusal(
                    step: AuthorizationFlow.unavailable(error, while: "reading the identity provider", logger: logger)))
        }
    }

    /// A refusal of the authorization response itself (an `error` answer, a wrong `iss`, no code).
    struct AuthorizationRefusal: Error {
        let message: String
    }

    /// OIDC Core §3.1.2.6 error answers, RFC 9207 `iss`, the code exchanged, the ID token checked.
    private func verifiedIdentity(
        _ parameters: FormParameters, transaction: UpstreamTransaction, provider: IdentityProvider,
        tenant: TenantContext
    ) async throws -> UpstreamIdentity {
        let metadata = try await directory.metadata(issuer: provider.issuer)
        // RFC 9207 §2.4: an `iss` that is present must be the provider's; where the provider
        // says it always sends one, its absence is refused too (a mix-up attack's answer).
        if let iss = parameters["iss"] {
            guard iss == provider.issuer else {
                throw AuthorizationRefusal(message: "The answer came from another issuer than \(provider.name).")
            }
        } else if metadata.issParameterSupported {
            throw AuthorizationRefusal(message: "The answer from \(provider.name) does not name its issuer (iss).")
        }
        if let error = parameters["error"] {
            let detail = parameters["error_description"].map { ": \($0)" } ?? ""
            throw AuthorizationRefusal(
                message: error == "access_denied"
                    ? "\(provider.name) did not sign you in (access denied\(detail))."
                    : "\(provider.name) answered with an error (\(error.prefix(64))\(detail.prefix(200))).")
        }
        guard let code = parameters["code"], !code.isEmpty else {
            throw AuthorizationRefusal(message: "The answer from \(provider.name) carries no authorization code.")
        }
        let idToken = try await tokens.redeem(
            code: code, verifier: transaction.verifier, redirectURI: Self.redirectURI(issuer: tenant.issuer),
            provider: provider, metadata: metadata)
        let check = UpstreamIDTokenCheck(
            issuer: provider.issuer, clientID: provider.clientID, nonce: transaction.nonce,
            algorithms: metadata.idTokenAlgorithms)
        let keys = try await directory.keys(of: metadata)
        do throws(UpstreamIDTokenRejection) {
            return try check.identity(in: idToken, keys: keys, now: clock())
        } catch .token(.unknownKey) {
            // The provider may have rotated its keys since they were cached: fetch them once more.
            let fresh = try await directory.keys(of: metadata, refresh: true)
            do throws(UpstreamIDTokenRejection) {
                return try check.identity(in: idToken, keys: fresh, now: clock())
            } catch {
                throw UpstreamFailure.idToken(error)
            }
        } catch {
            throw UpstreamFailure.idToken(error)
        }
    }

    /// The tenant's own second-factor policy applies after an upstream sign-in as after a
    /// password; the upstream part adds no `amr` value (RFC 8176 has none for it).
    private func continueSignIn(
        _ user: User, provider: IdentityProvider, purpose: PendingInteraction.Purpose, tenant: TenantContext,
        requestID: String?, logger: Logger
    ) async -> (InteractionStep, LoginSession?) {
        let next: PasswordLogin.Next
        do throws(PasswordLogin.Failure) {
            next = try await flow.passwordLogin.nextStep(for: user, tenant: tenant)
        } catch {
            return (AuthorizationFlow.unavailable(error, while: "reading the user's factors", logger: logger), nil)
        }
        guard next == .complete else {
            var awaiting = PendingInteraction(
                purpose: purpose, userID: user.id,
                expiresAt: clock().addingTimeInterval(AuthorizationFlow.secondFactorLifetime))
            awaiting.passwordVerifiedAt = clock()
            awaiting.upstreamProvider = provider.slug
            if next == .enrolment { return (flow.enrolmentPage(awaiting, user: user, tenant: tenant), nil) }
            let clientName = await flow.clientName(of: awaiting, tenant: tenant, logger: logger)
            return (await flow.secondFactorPage(awaiting, for: user, clientName: clientName, tenant: tenant), nil)
        }
        await audit(.loginSuccess, provider, tenant, requestID, actor: "user:\(user.id)")
        return await flow.signedIn(user, with: [], purpose: purpose, tenant: tenant, logger: logger)
    }

    private func audit(
        _ action: AuditAction, _ provider: IdentityProvider, _ tenant: TenantContext, _ requestID: String?,
        reason: String? = nil, subject: String? = nil, actor: String? = nil
    ) async {
        var details = AuditDetails()
        if let reason { details = details.string("reason", String(reason.prefix(300))) }
        if let subject { details = details.string("sub", subject) }
        // Evidence, not a gate: a failed write must not turn a refusal into a 500.
        try? await store.appendAudit(
            AuditRecord(action: action, target: "identity_provider:\(provider.slug)", details: details),
            tenantID: tenant.id, actor: actor ?? "upstream:\(provider.slug)", requestID: requestID, at: clock())
    }
}
