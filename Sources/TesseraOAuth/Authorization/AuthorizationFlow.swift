import Foundation
import Logging
import TesseraCore
import TesseraStore

/// The authorization endpoint and the pages behind it (RFC 6749 §4.1, OIDC Core §3.1.2): who is
/// signed in, whether they approved these scopes for this client, and the code that ends it.
/// Takes plain values and returns an `InteractionStep`; the server draws pages and cookies.
public struct AuthorizationFlow: Sendable {
    let store: any Store
    let clients: any ClientDirectory
    let validator: AuthorizationRequestValidator
    let sealer: BrowserSealer
    let passwordLogin: PasswordLogin
    /// Passkey sign-in (WebAuthn); nil: passwords and codes only.
    let passkeys: Passkeys?
    /// Server-side records of sign-ins (`sid`), started here and checked by the pages.
    public let sessions: SessionService
    let clock: @Sendable () -> Date

    public init(
        store: any Store, clients: any ClientDirectory, sealer: BrowserSealer, passwordLogin: PasswordLogin,
        passkeys: Passkeys? = nil, documents: MetadataDocumentResolver? = nil,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.passkeys = passkeys
        self.store = store
        self.clients = clients
        self.validator = AuthorizationRequestValidator(
            clients: clients, pushed: store, documents: documents, clock: clock)
        self.sealer = sealer
        self.passwordLogin = passwordLogin
        self.sessions = SessionService(store: store, clock: clock)
        self.clock = clock
    }

    static let unavailable = InteractionStep.errorPage(
        status: 503, message: "The service is briefly unavailable. Please try again in a moment.")

    /// The page for a failure the person cannot fix (the database is away), logged with the
    /// request id the logger carries, so an operator can find what the person saw.
    static func unavailable(_ error: any Error, while step: String, logger: Logger) -> InteractionStep {
        logger.error("Browser flow failed", metadata: ["step": .string(step), "error": "\(error)"])
        return unavailable
    }
    static let expired = InteractionStep.errorPage(
        status: 400, message: "This page has expired. Go back to the application and start again.")

    // MARK: - GET authorize

    public func authorize(
        query: String, tenant: TenantContext, session: LoginSession?, logger: Logger
    ) async
        -> InteractionStep
    {
        let parameters: FormParameters
        do throws(OAuthError) {
            parameters = try FormParameters(body: query)
        } catch {
            return .errorPage(status: 400, message: error.description ?? "The request is malformed.")
        }
        return await authorize(parameters: parameters, tenant: tenant, session: session, logger: logger)
    }

    /// OIDC Core §3.1.2.1: the authorization endpoint takes its parameters by GET (the query) or
    /// POST (a form body), with the same meaning.
    public func authorize(
        parameters: FormParameters, tenant: TenantContext, session: LoginSession?, logger: Logger
    ) async -> InteractionStep {
        let outcome: AuthorizationRequestValidator.Outcome
        do {
            outcome = try await validator.validate(parameters: parameters, tenant: tenant)
        } catch {
            return Self.unavailable(error, while: "validating the authorization request", logger: logger)
        }
        switch outcome {
        case .untrusted(let message):
            return .errorPage(status: 400, message: message)
        case .redirectError(let error, let redirectURI, let state):
            return .redirect(
                AuthorizationRequest.errorResponse(error, redirectURI: redirectURI, state: state, issuer: tenant.issuer)
            )
        case .valid(let request, let client):
            return await authorize(request, client: client, tenant: tenant, session: session, logger: logger)
        }
    }

    func authorize(
        _ request: AuthorizationRequest, client: Client, tenant: TenantContext, session: LoginSession?,
        logger: Logger
    ) async -> InteractionStep {
        let now = clock()
        if let session, session.expiresAt > now, !request.prompts.contains(.login),
            request.maxAge.map({ session.authTime.addingTimeInterval(TimeInterval($0)) >= now }) ?? true
        {
            do {
                if let user = try await store.user(tenantID: tenant.id, id: session.userID), user.status == .active {
                    return await proceed(
                        request, client: client, user: user, session: session, tenant: tenant,
                        askConsent: request.prompts.contains(.consent), logger: logger)
                }
            } catch {
                return Self.unavailable(error, while: "reading the signed-in user", logger: logger)
            }
        }
        // OIDC Core §3.1.2.6: prompt=none must not show a page.
        if request.prompts.contains(.none) {
            return .redirect(request.errorResponse(.loginRequired("the user is not signed in"), issuer: tenant.issuer))
        }
        return await loginPage(.authorize(request), clientName: client.name, tenant: tenant)
    }

    /// Signed in: approve silently what was approved before, ask for the rest.
    func proceed(
        _ request: AuthorizationRequest, client: Client, user: User, session: LoginSession, tenant: TenantContext,
        askConsent: Bool, logger: Logger
    ) async -> InteractionStep {
        // A client that requires two factors gets none of a tenant that uses no second factors.
        if client.requirements.requiredContext == .twoFactors, tenant.settings.mfa == .off {
            return .redirect(
                request.errorResponse(
                    .accessDenied("the application requires two-step sign-in, which this service does not use"),
                    issuer: tenant.issuer))
        }
        // Step-up (OIDC Core §3.1.2.1 acr_values): two factors asked for, one given, and the
        // tenant uses second factors: the code (or, without a factor, its setup) comes first.
        if request.requestedContext == .twoFactors, AuthenticationContext(session.methods) != .twoFactors,
            tenant.settings.mfa != .off, let secondFactors = passwordLogin.secondFactors
        {
            if request.prompts.contains(.none) {
                return .redirect(
                    request.errorResponse(
                        .interactionRequired("a second factor is needed for this request"), issuer: tenant.issuer))
            }
            var awaiting = PendingInteraction(
                purpose: .authorize(request), userID: user.id,
                expiresAt: clock().addingTimeInterval(Self.secondFactorLifetime))
            awaiting.passwordVerifiedAt = session.authTime
            do throws(SecondFactors.Failure) {
                if try await secondFactors.isRequired(for: user) {
                    return await secondFactorPage(awaiting, for: user, clientName: client.name, tenant: tenant)
                }
            } catch {
                return Self.unavailable(error, while: "reading the user's factors", logger: logger)
            }
            return enrolmentPage(awaiting, user: user, tenant: tenant)
        }
        do {
            let consent = try await store.consent(tenantID: tenant.id, userID: user.id, clientID: client.id)
            if !askConsent, consent?.covers(request.scope) == true {
                return try await issueCode(request, user: user, session: session, tenant: tenant)
            }
            if request.prompts.contains(.none) {
                return .redirect(
                    request.errorResponse(
                        .consentRequired("the user has not approved these scopes"), issuer: tenant.issuer))
            }
            return try await consentPage(
                .authorize(request), client: client, user: user, scopes: request.scope, audience: request.audience,
                previous: consent, tenant: tenant, expiresAt: clock().addingTimeInterval(PendingInteraction.lifetime))
        } catch {
            return Self.unavailable(error, while: "reading the consent or issuing the code", logger: logger)
        }
    }

    func loginPage(
        _ purpose: PendingInteraction.Purpose, clientName: String?, tenant: TenantContext, error: String? = nil,
        status: Int = 200
    ) async -> InteractionStep {
        let pending = PendingInteraction(
            purpose: purpose, expiresAt: clock().addingTimeInterval(PendingInteraction.lifetime))
        guard let sealed = sealer.seal(pending, purpose: .pending, tenantID: tenant.id) else { return Self.unavailable }
        var prompt = LoginPrompt(pending: sealed, clientName: clientName, error: error, status: status)
        prompt.passkeyOptions = passkeys?.authenticationOptions(tenant: tenant)
        prompt.providers = await upstreamOptions(of: tenant)
        return .login(prompt)
    }

    /// The "Sign in with …" buttons: the tenant's enabled upstream providers. A failed read
    /// leaves them out (the password form still works) and is logged by the caller's page.
    func upstreamOptions(of tenant: TenantContext) async -> [UpstreamOption] {
        guard let providers = try? await store.identityProviders(tenantID: tenant.id) else { return [] }
        return providers.filter(\.enabled).map { UpstreamOption(slug: $0.slug, name: $0.name) }
    }

    // MARK: - POST login

    /// The login form was submitted (its CSRF token already checked). On success the new session
    /// comes back with the next step, for the server to set as a cookie.
    public func submitLogin(
        form: FormParameters, tenant: TenantContext, address: String?, requestID: String?, logger: Logger,
        browser: SignInBrowser = SignInBrowser()
    ) async -> (InteractionStep, LoginSession?) {
        guard let pending = openPending(form["pending"], tenant: tenant) else { return (Self.expired, nil) }
        let clientName = await self.clientName(of: pending, tenant: tenant, logger: logger)
        let user: User
        let next: PasswordLogin.Next
        do {
            (user, next) = try await passwordLogin.authenticate(
                tenant: tenant, username: form["username"] ?? "", password: form["password"] ?? "", address: address,
                requestID: requestID)
        } catch {
            return (
                await refused(
                    error, wrong: "Wrong username or password.", while: "checking the password", logger: logger
                ) { message, status in
                    await loginPage(
                        pending.purpose, clientName: clientName, tenant: tenant, error: message, status: status)
                }, nil
            )
        }
        if next != .complete {
            var awaiting = PendingInteraction(
                purpose: pending.purpose, userID: user.id,
                expiresAt: clock().addingTimeInterval(Self.secondFactorLifetime))
            awaiting.passwordVerifiedAt = clock()
            if next == .enrolment { return (enrolmentPage(awaiting, user: user, tenant: tenant), nil) }
            return (await secondFactorPage(awaiting, for: user, clientName: clientName, tenant: tenant), nil)
        }
        return await signedIn(
            user, with: [.password], purpose: pending.purpose, tenant: tenant, logger: logger, browser: browser,
            requestID: requestID)
    }

    /// How long the code page waits after a right password: a code or two, not a coffee break.
    static let secondFactorLifetime: TimeInterval = 5 * 60

    enum AwaitedUser {
        case active(User)
        /// The page that ends the sign-in instead.
        case ended(InteractionStep)
    }

    /// The user a sign-in in progress names (sealed in its pending state), while still active;
    /// otherwise the page that ends it: expired, or unavailable when the database did not answer.
    func awaitedUser(_ userID: UUID, tenant: TenantContext, logger: Logger) async -> AwaitedUser {
        do {
            guard let user = try await store.user(tenantID: tenant.id, id: userID), user.status == .active else {
                return .ended(Self.expired)
            }
            return .active(user)
        } catch {
            return .ended(Self.unavailable(error, while: "reading the user", logger: logger))
        }
    }

    /// The second step after a right password: the code of the user's app and, when they have
    /// passkeys, a button to use one instead (its options list only their credentials).
    func secondFactorPage(
        _ pending: PendingInteraction, for user: User, clientName: String?, tenant: TenantContext,
        error: String? = nil, status: Int = 200
    ) async -> InteractionStep {
        guard let sealed = sealer.seal(pending, purpose: .pending, tenantID: tenant.id) else { return Self.unavailable }
        var prompt = SecondFactorPrompt(pending: sealed, clientName: clientName, error: error, status: status)
        if let secondFactors = passwordLogin.secondFactors {
            prompt.offersCode = (try? await secondFactors.hasTOTP(user)) ?? true
            if let passkeys, let registered = try? await passkeys.list(for: user), !registered.isEmpty {
                prompt.passkeyOptions = passkeys.authenticationOptions(
                    tenant: tenant, for: user.id, allowing: registered)
            }
        }
        return .secondFactor(prompt)
    }

    // MARK: - Enrolment during sign-in (mfa = required)

    func enrolmentPage(
        _ pending: PendingInteraction, user: User, tenant: TenantContext, error: String? = nil, status: Int = 200
    ) -> InteractionStep {
        guard let sealed = sealer.seal(pending, purpose: .pending, tenantID: tenant.id),
            let secondFactors = passwordLogin.secondFactors,
            let offer = try? secondFactors.offer(for: user, in: tenant.tenant, issuerName: tenant.tenant.name)
        else { return Self.unavailable }
        return .enrolment(
            EnrolmentPrompt(pending: sealed, offer: offer, recoveryCodes: [], error: error, status: status))
    }

    /// The setup form inside a sign-in was submitted (CSRF checked): a right code makes the
    /// offered secret the user's factor; the recovery codes follow, with a form to continue.
    public func submitEnrolment(form: FormParameters, tenant: TenantContext, logger: Logger) async -> InteractionStep {
        guard var pending = openPending(form["pending"], tenant: tenant), let userID = pending.userID,
            pending.passwordVerifiedAt != nil, let secondFactors = passwordLogin.secondFactors
        else { return Self.expired }
        let user: User
        switch await awaitedUser(userID, tenant: tenant, logger: logger) {
        case .active(let found): user = found
        case .ended(let page): return page
        }
        let codes: [String]
        do throws(SecondFactors.Failure) {
            codes = try await secondFactors.accept(
                form["offer"] ?? "", code: form["otp"] ?? "", for: user, in: tenant.tenant)
        } catch .wrongCode {
            return enrolmentPage(
                pending, user: user, tenant: tenant,
                error: "That code does not match. Add the account again and type the new code.", status: 400)
        } catch {
            return Self.unavailable(error, while: "enrolling the factor", logger: logger)
        }
        pending.secondFactorVerifiedAt = clock()
        guard let sealed = sealer.seal(pending, purpose: .pending, tenantID: tenant.id) else { return Self.unavailable }
        return .enrolment(EnrolmentPrompt(pending: sealed, offer: nil, recoveryCodes: codes, error: nil, status: 200))
    }

    /// The recovery-code page's "Continue": the sign-in ends with both factors.
    public func continueAfterEnrolment(
        form: FormParameters, tenant: TenantContext, logger: Logger, browser: SignInBrowser = SignInBrowser()
    ) async -> (InteractionStep, LoginSession?) {
        guard let pending = openPending(form["pending"], tenant: tenant), let userID = pending.userID,
            pending.secondFactorVerifiedAt != nil
        else { return (Self.expired, nil) }
        switch await awaitedUser(userID, tenant: tenant, logger: logger) {
        case .active(let user):
            return await signedIn(
                user, with: pending.firstFactor + [.oneTimePassword], purpose: pending.purpose, tenant: tenant,
                logger: logger, browser: browser, requestID: nil)
        case .ended(let page):
            return (page, nil)
        }
    }

    // MARK: - POST login/otp

    /// The code page was submitted (CSRF checked): the second step of a sign-in whose password
    /// was right, for the user the sealed state names.
    public func submitSecondFactor(
        form: FormParameters, tenant: TenantContext, address: String?, requestID: String?, logger: Logger,
        browser: SignInBrowser = SignInBrowser()
    ) async -> (InteractionStep, LoginSession?) {
        guard let pending = openPending(form["pending"], tenant: tenant), let userID = pending.userID,
            pending.passwordVerifiedAt != nil
        else { return (Self.expired, nil) }
        let clientName = await self.clientName(of: pending, tenant: tenant, logger: logger)
        let user: User
        switch await awaitedUser(userID, tenant: tenant, logger: logger) {
        case .active(let found): user = found
        case .ended(let page): return (page, nil)
        }
        do {
            try await passwordLogin.verifySecondFactor(
                form["otp"] ?? "", user: user, tenant: tenant, address: address, requestID: requestID)
        } catch {
            return (
                await refused(error, wrong: "That code is not right.", while: "checking the code", logger: logger) {
                    message, status in
                    await secondFactorPage(
                        pending, for: user, clientName: clientName, tenant: tenant, error: message, status: status)
                }, nil
            )
        }
        return await signedIn(
            user, with: pending.firstFactor + [.oneTimePassword], purpose: pending.purpose, tenant: tenant,
            logger: logger, browser: browser, requestID: requestID)
    }

    /// A refused sign-in step drawn again by `page`: with what was wrong (401), how long to wait
    /// (429), or the unavailable page when the database did not answer.
    func refused(
        _ failure: PasswordLogin.Failure, wrong: String, while step: String, logger: Logger,
        _ page: (String, Int) async -> InteractionStep
    ) async -> InteractionStep {
        switch failure {
        case .invalidCredentials: return await page(wrong, 401)
        case .throttled(let wait): return await page("Too many failed attempts. Try again in \(wait) seconds.", 429)
        case .unavailable: return Self.unavailable(failure, while: step, logger: logger)
        }
    }

    /// Signed in just now: a session with its server-side record, and on to what the sign-in
    /// was for.
    func signedIn(
        _ user: User, with methods: [AuthenticationMethod], purpose: PendingInteraction.Purpose, tenant: TenantContext,
        logger: Logger, browser: SignInBrowser = SignInBrowser(), requestID: String? = nil
    ) async -> (InteractionStep, LoginSession?) {
        let session: LoginSession
        do {
            session = try await sessions.signedIn(
                user, with: methods, tenant: tenant, previous: browser.previous,
                browser: BrowserDescription.describe(userAgent: browser.userAgent), requestID: requestID)
        } catch {
            return (Self.unavailable(error, while: "starting the session", logger: logger), nil)
        }
        switch purpose {
        case .account:
            return (.redirect(tenant.issuer + AccountPaths.account), session)
        case .device(let userCode):
            return (await deviceConsent(userCode: userCode, user: user, tenant: tenant, logger: logger), session)
        case .authorize(let request):
            guard let client = await activeClient(request.clientID, tenant: tenant, logger: logger) else {
                return (.errorPage(status: 400, message: "The application is no longer available."), session)
            }
            // Signed in just now: prompt=login and max_age are satisfied.
            return (
                await proceed(
                    request, client: client, user: user, session: session, tenant: tenant,
                    askConsent: request.prompts.contains(.consent), logger: logger), session
            )
        }
    }

    // MARK: - POST consent

    /// The consent form was submitted (CSRF checked) by the browser holding `session`.
    public func submitConsent(
        form: FormParameters, tenant: TenantContext, session: LoginSession?, requestID: String?, logger: Logger
    ) async -> InteractionStep {
        guard let pending = openPending(form["pending"], tenant: tenant), let userID = pending.userID else {
            return Self.expired
        }
        // The approval must come from the user the page was drawn for, still signed in.
        guard let session, session.userID == userID, session.expiresAt > clock() else { return Self.expired }
        let request: AuthorizationRequest
        switch pending.purpose {
        case .authorize(let authorization): request = authorization
        case .device(let userCode):
            return await decideDevice(
                userCode: userCode, userID: userID, session: session, form: form, tenant: tenant, requestID: requestID,
                logger: logger)
        case .account: return Self.expired
        }
        do {
            guard let user = try await store.user(tenantID: tenant.id, id: userID), user.status == .active,
                await activeClient(request.clientID, tenant: tenant, logger: logger) != nil
            else {
                return .errorPage(status: 400, message: "The account or the application is no longer available.")
            }
            switch form["decision"] {
            case "approve":
                let now = clock()
                try await store.audited(
                    AuditedChange(
                        tenantID: tenant.id, actor: "user:\(userID)", requestID: requestID, at: now,
                        records: [
                            AuditRecord(
                                action: .consentGrant, target: "client:\(request.clientID)",
                                details: AuditDetails().string("scope", request.scope.description))
                        ])
                ) { operations in
                    try await operations.grantConsent(
                        request.scope, tenantID: tenant.id, userID: userID, clientID: request.clientID, at: now)
                }
                return try await issueCode(request, user: user, session: session, tenant: tenant)
            case "deny":
                return .redirect(
                    request.errorResponse(.accessDenied("the user denied the request"), issuer: tenant.issuer))
            default:
                return .errorPage(status: 400, message: "Choose Allow or Deny.")
            }
        } catch {
            return Self.unavailable(error, while: "recording the consent", logger: logger)
        }
    }

    // MARK: - The code

    /// RFC 6749 §4.1.2: a single-use code, stored hashed, bound to everything the token request
    /// must repeat.
    func issueCode(
        _ request: AuthorizationRequest, user: User, session: LoginSession, tenant: TenantContext
    ) async throws -> InteractionStep {
        let value = RandomToken.generate()
        let now = clock()
        var code = AuthorizationCode(
            tenantID: tenant.id, codeHash: SecretHash(of: value), clientID: request.clientID, userID: user.id,
            redirectURI: request.redirectURI, scopes: request.scope, audience: request.audience,
            codeChallenge: request.codeChallenge, nonce: request.nonce, authTime: session.authTime, createdAt: now,
            expiresAt: now.addingTimeInterval(TimeInterval(tenant.settings.authorizationCodeTTL)),
            dpopJKT: request.dpopJKT, authenticationMethods: AuthenticationMethod.claim(session.methods),
            authenticationContext: request.requestedContext.map { _ in
                AuthenticationContext(session.methods).rawValue
            })
        code.sessionID = session.sid
        // The code and the record that the session reached this client land together: a sign-out
        // then owes the client a logout token (Back-Channel Logout 1.0 §2.5).
        try await store.transaction { [code, sessions] operations in
            try await operations.insertAuthorizationCode(code)
            if let sid = session.sid {
                try await sessions.reached(request.clientID, sid: sid, tenant: tenant, operations: operations)
            }
        }
        return .redirect(request.response([("code", value)], issuer: tenant.issuer))
    }

    // MARK: - Helpers

    public func openPending(_ sealed: String?, tenant: TenantContext) -> PendingInteraction? {
        guard let sealed,
            let pending = sealer.open(sealed, as: PendingInteraction.self, purpose: .pending, tenantID: tenant.id),
            pending.expiresAt > clock()
        else { return nil }
        return pending
    }

    public func loginPage(forAccountOf tenant: TenantContext) async -> InteractionStep {
        await loginPage(.account, clientName: nil, tenant: tenant)
    }

    /// The client if it exists and is active. A failed read counts as "not available" for the
    /// page, and is logged.
    func activeClient(_ id: String, tenant: TenantContext, logger: Logger) async -> Client? {
        do {
            guard let client = try await clients.client(tenantID: tenant.id, id: id), client.status == .active else {
                return nil
            }
            return client
        } catch {
            logger.error("Browser flow failed", metadata: ["step": "reading the client", "error": "\(error)"])
            return nil
        }
    }

    func clientName(of pending: PendingInteraction, tenant: TenantContext, logger: Logger) async -> String? {
        switch pending.purpose {
        case .authorize(let request): return await activeClient(request.clientID, tenant: tenant, logger: logger)?.name
        case .device(let userCode):
            let code: DeviceCode?
            do {
                code = try await store.deviceCode(tenantID: tenant.id, userCode: userCode)
            } catch {
                logger.error("Browser flow failed", metadata: ["step": "reading the device code", "error": "\(error)"])
                return nil
            }
            guard let code else { return nil }
            return await activeClient(code.clientID, tenant: tenant, logger: logger)?.name
        case .account: return nil
        }
    }
}

/// What a sign-in knows of the browser it happens in: the session its cookie holds (replaced or
/// renewed by the sign-in) and its User-Agent, described on the account page's session list.
public struct SignInBrowser: Sendable {
    public var previous: LoginSession?
    public var userAgent: String?

    public init(previous: LoginSession? = nil, userAgent: String? = nil) {
        self.previous = previous
        self.userAgent = userAgent
    }
}

/// Paths of the browser-facing pages of a tenant, relative to its issuer.
public enum AccountPaths {
    public static let login = "/login"
    /// The second step of a sign-in: the one-time code (INTERFACE.md: an input `name="otp"`).
    public static let secondFactor = "/login/otp"
    /// `mfa = required`: setting up a factor inside the sign-in, then continuing it.
    public static let enrolment = "/login/enrol"
    public static let enrolmentContinue = "/login/continue"
    public static let consent = "/consent"
    public static let account = "/account"
    public static let revokeConsent = "/account/revoke"
    /// Self-enrolment of a TOTP factor: offer a secret, confirm it with a code, or remove it.
    public static let totpSetup = "/account/totp"
    public static let totpConfirm = "/account/totp/confirm"
    public static let totpRemove = "/account/totp/remove"
    /// A passkey answer at sign-in: the first factor, or the second after the password.
    public static let passkeySignIn = "/login/passkey"
    /// Registering a passkey on the account page, and removing one.
    public static let passkeyRegister = "/account/passkeys"
    public static let passkeyRemove = "/account/passkeys/remove"
    public static let logout = "/logout"
    /// The account page's "Where you are signed in": end one session, or every other one.
    public static let endSession = "/account/sessions/end"
    public static let endOtherSessions = "/account/sessions/end-others"
    /// RFC 8628 `verification_uri`.
    public static let device = "/device"
    /// "Sign in with …" an upstream identity provider: the start (a form of the login page) and
    /// the fixed redirect URI registered upstream (docs/upstream-identity-providers.md).
    public static let upstreamStart = "/login/upstream"
    public static let upstreamCallback = "/login/upstream/callback"
}
