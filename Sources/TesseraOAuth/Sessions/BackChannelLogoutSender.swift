import Foundation
import Logging
import ServiceLifecycle
import TesseraCore
import TesseraJOSE
import TesseraStore

/// Works off the outbox of logout tokens (Back-Channel Logout 1.0 §2.5), off every request path:
/// every `interval` it claims the deliveries that are due (one instance per row, see
/// `claimLogoutDeliveries`), signs each token with the key the client's ID tokens are signed with and POSTs it. A
/// failed attempt is audited and retried after a back-off that doubles up to a cap; after the
/// last attempt the delivery is given up and that is audited too.
public struct BackChannelLogoutSender: Service {
    /// How often and how long deliveries are retried.
    public struct Retries: Sendable {
        public var maximumAttempts: Int
        /// The wait after the first failure; doubled after each further one, up to `cap`.
        public var base: Duration
        public var cap: Duration

        public init(maximumAttempts: Int = 8, base: Duration = .seconds(5), cap: Duration = .seconds(900)) {
            self.maximumAttempts = maximumAttempts
            self.base = base
            self.cap = cap
        }

        /// The wait after `attempts` failed attempts.
        func delay(after attempts: Int) -> TimeInterval {
            let base = self.base.inSeconds
            let cap = Double(self.cap.components.seconds)
            return min(cap, base * pow(2, Double(max(0, attempts - 1))))
        }
    }

    let store: any Store
    let tenants: TenantDirectory
    let publicURL: PublicURL
    let policy: OutboundAddressPolicy
    let retries: Retries
    let interval: Duration
    let logger: Logger
    let clock: @Sendable () -> Date
    /// A claimed delivery not finished within this time (the instance died) is taken again.
    static let lease: TimeInterval = 60
    static let batch = 20

    public init(
        store: any Store, tenants: TenantDirectory, publicURL: PublicURL, policy: OutboundAddressPolicy,
        retries: Retries = Retries(), interval: Duration = .seconds(1), logger: Logger,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.tenants = tenants
        self.publicURL = publicURL
        self.policy = policy
        self.retries = retries
        self.interval = interval
        self.logger = logger
        self.clock = clock
    }

    public func run() async throws {
        let poster = LogoutTokenPoster(policy: policy)
        await runPeriodically(every: interval, logger: logger, job: "Back-channel logout") {
            while try await deliverDue(poster) == Self.batch {}
        }
    }

    /// One round: claims what is due and attempts each; returns how many were claimed.
    func deliverDue(_ poster: LogoutTokenPoster) async throws -> Int {
        let now = clock()
        let claimed = try await store.claimLogoutDeliveries(
            at: now, leaseUntil: now.addingTimeInterval(Self.lease), limit: Self.batch)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for delivery in claimed { group.addTask { try await attempt(delivery, poster) } }
            try await group.waitForAll()
        }
        return claimed.count
    }

    func attempt(_ delivery: LogoutDelivery, _ poster: LogoutTokenPoster) async throws {
        let failure: String?
        if let token = try await token(for: delivery) {
            failure = await poster.post(token, to: delivery.uri)
        } else {
            failure = "the tenant is gone, disabled or has no signing key"
        }
        guard let failure else {
            try await store.deleteLogoutDelivery(tenantID: delivery.tenantID, id: delivery.id)
            logger.info(
                "Delivered a back-channel logout token",
                metadata: ["client_id": "\(delivery.clientID)", "attempt": "\(delivery.attempts)"])
            return
        }
        let now = clock()
        let givingUp = delivery.attempts >= retries.maximumAttempts
        let details = AuditDetails().string("uri", delivery.uri).string("error", String(failure.prefix(300)))
            .number("attempt", delivery.attempts)
        logger.warning(
            givingUp ? "Gave up a back-channel logout token" : "A back-channel logout token was not accepted",
            metadata: ["client_id": "\(delivery.clientID)", "attempt": "\(delivery.attempts)", "error": "\(failure)"])
        try await store.transaction { operations in
            if givingUp {
                try await operations.deleteLogoutDelivery(tenantID: delivery.tenantID, id: delivery.id)
            } else {
                try await operations.rescheduleLogoutDelivery(
                    tenantID: delivery.tenantID, id: delivery.id,
                    nextAttemptAt: now.addingTimeInterval(retries.delay(after: delivery.attempts)), error: failure)
            }
            try await operations.appendAudit(
                AuditRecord(
                    action: givingUp ? .backchannelLogoutAbandoned : .backchannelLogoutFailure,
                    target: "client:\(delivery.clientID)", details: details),
                tenantID: delivery.tenantID, actor: "system", requestID: nil, at: now)
        }
    }

    /// §2.4: the logout token, signed now; nil when it cannot be. §2.6: it is signed like the
    /// client's ID tokens, so with the key of the client's `id_token_signed_response_alg` (the
    /// tenant's main key when it registered none, or when the client is gone).
    func token(for delivery: LogoutDelivery) async throws -> String? {
        guard let tenant = try await store.tenant(id: delivery.tenantID), tenant.status == .active else { return nil }
        let context = TenantContext(
            tenant: tenant, issuer: publicURL.issuer(for: tenant.slug), keys: try await tenants.keys(for: tenant))
        var algorithm: SigningAlgorithm?
        if let client = try await store.client(tenantID: tenant.id, id: delivery.clientID) {
            do {
                algorithm = try ClientPolicy(client, at: context).idTokenAlgorithm()
            } catch {
                return nil
            }
        }
        guard let signer = try? context.keys.idTokenSigner(for: algorithm) else { return nil }
        let claims = LogoutTokenClaims(
            iss: context.issuer, aud: delivery.clientID, iat: Int(clock().timeIntervalSince1970),
            jti: delivery.jti, sub: delivery.subject, sid: delivery.sid)
        return try? signer.sign(claims, type: LogoutTokenClaims.type)
    }
}
