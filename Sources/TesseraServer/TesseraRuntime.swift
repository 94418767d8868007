import Foundation
import Logging
import ServiceLifecycle
import TesseraCore
import TesseraJOSE
import TesseraOAuth
import TesseraStore

/// The long-lived parts one `tessera` process works with, opened in the order that lets each
/// fail with a clear message: configuration, master key, database, schema, system tenant, keys.
///
/// This is where the server is assembled, and the one file of the server that knows the store:
/// routes get protocol-layer services from here, never the store itself.
public struct TesseraRuntime: Sendable {
    public let configuration: TesseraConfiguration
    public let store: any Store
    public let masterKey: MasterKey
    public let keyRing: KeyRing
    public let tenants: TenantDirectory
    public let clients: CachedClientDirectory
    public let revocations: RevocationList
    /// How current the caches are; the stateless paths stop answering from memory once the
    /// change feed has been unreadable for too long (docs/database-failover.md).
    public let freshness: CacheFreshness
    /// One authenticator for the token, introspection and revocation endpoints, so they share
    /// its cache of parsed client key sets.
    let clientAuthenticator: ClientAuthenticator
    let tokenValidator: AccessTokenValidator
    /// Takes DPoP proofs at the token endpoint and the server's own resources alike.
    let dpop: DPoPVerifier
    /// Request budgets of addresses and clients at the token endpoints, each divided among the
    /// instances the heartbeat counts.
    public let rateLimiter = RateLimiter()
    /// Starting, serving or draining: what `/readyz` reports besides the database.
    public let serving = ServingPhase()
    /// How keep-alive connections end on shutdown (`ConnectionDrain`).
    public let connections = ConnectionDrain()
    /// The change feed's position before anything was cached: the follower starts here, so no
    /// change committed while this process was starting is missed.
    let changesSeenUpTo: Int
    public let keyManagement: KeyManagement
    public let administration: Administration
    /// Seals login sessions and pending page state for browsers, under the master key.
    public let sealer: BrowserSealer
    public let authorizationFlow: AuthorizationFlow
    /// "Sign in with …" a tenant's upstream identity providers, through the guarded fetcher.
    public let upstreamSignIn: UpstreamSignIn
    public let accountService: AccountService
    public let secondFactors: SecondFactors
    /// When self-registered clients were last given a token, shared by every token request.
    let clientUses: ClientUseRecorder
    public let logger: Logger

    public static func open(configuration: TesseraConfiguration, logger: Logger) async throws -> TesseraRuntime {
        let masterKey = try configuration.loadMasterKey(logger: logger)
        let passwords = try PasswordHasher(cost: configuration.bcryptCost)
        let store = try await configuration.databaseURL.open(logger: logger)
        do {
            let applied = try await store.migrate()
            if !applied.isEmpty {
                logger.info("Applied migrations", metadata: ["migrations": "\(applied.joined(separator: ", "))"])
            }
            let administration = Administration(
                store: store, publicURL: configuration.publicURL, passwords: passwords,
                keyProvisioner: TenantKeyProvisioner(masterKey: masterKey))
            if let credentials = try await administration.ensureSystemTenant() {
                SystemAdminCredentials.write(
                    credentials, to: configuration.systemAdminFile,
                    issuer: configuration.publicURL.issuer(for: .system), logger: logger)
            }
            let changesSeenUpTo = try await store.latestChangeSequence()
            let keyRing = KeyRing(masterKey: masterKey)
            let revocations = RevocationList()
            try await revocations.load(from: store)
            let clients = CachedClientDirectory(store: store)
            let sealer = BrowserSealer(masterKey: masterKey)
            let secondFactors = SecondFactors(store: store, masterKey: masterKey)
            let passwordLogin = try await PasswordLogin(
                store: store, passwords: passwords, secondFactors: secondFactors)
            let dpop = DPoPVerifier(proofs: store, nonces: DPoPNonces(masterKey: masterKey))
            let outboundPolicy = OutboundAddressPolicy(allowLoopback: configuration.outboundAllowLoopback)
            let documents = MetadataDocumentResolver(
                store: store, policy: outboundPolicy, clients: clients, trustRoots: configuration.outboundTrustRoots)
            let authorizationFlow = AuthorizationFlow(
                store: store, clients: clients, sealer: sealer, passwordLogin: passwordLogin,
                passkeys: Passkeys(store: store, sealer: sealer, publicURL: configuration.publicURL),
                documents: documents)
            let runtime = TesseraRuntime(
                configuration: configuration, store: store, masterKey: masterKey, keyRing: keyRing,
                tenants: TenantDirectory(store: store, keyRing: keyRing), clients: clients,
                revocations: revocations,
                freshness: CacheFreshness(limit: configuration.statelessOutageLimit),
                clientAuthenticator: ClientAuthenticator(
                    directory: clients, assertions: store, documents: documents),
                tokenValidator: AccessTokenValidator(
                    revocations: revocations, leeway: configuration.tokenLeeway, dpop: dpop),
                dpop: dpop,
                changesSeenUpTo: changesSeenUpTo,
                keyManagement: KeyManagement(store: store, masterKey: masterKey), administration: administration,
                sealer: sealer,
                authorizationFlow: authorizationFlow,
                upstreamSignIn: UpstreamSignIn(
                    store: store, flow: authorizationFlow,
                    fetcher: OutboundFetcher(policy: outboundPolicy, trustRoots: configuration.outboundTrustRoots),
                    masterKey: masterKey, passwords: passwords),
                accountService: AccountService(store: store, clients: clients), secondFactors: secondFactors,
                clientUses: ClientUseRecorder(store: store, logger: logger), logger: logger)
            try await runtime.checkMasterKeyOpensStoredKeys()
            return runtime
        } catch {
            await store.close()
            throw error
        }
    }

    /// A wrong master key must stop the start with a clear error, not surface later as tokens
    /// that cannot be signed. The system tenant's keys always exist, so they are the probe.
    func checkMasterKeyOpensStoredKeys() async throws {
        guard let system = try await store.tenant(slug: .system) else { return }
        do {
            try await keyRing.install(tenantID: system.id, records: try await store.signingKeys(tenantID: system.id))
        } catch KeyError.cannotDecrypt(let kid) {
            throw ConfigurationError(
                "the master key does not open the stored signing keys (kid \(kid)): is TESSERA_MASTER_KEY / TESSERA_MASTER_KEY_FILE the key this database was created with?"
            )
        }
    }

    /// The token endpoint with every grant this server implements.
    public var tokenEndpoint: TokenEndpoint {
        let issuer = AccessTokenIssuer()
        let userTokens = UserTokenIssuer(accessTokens: issuer)
        return TokenEndpoint(
            handlers: [
                ClientCredentialsGrant(issuer: issuer),
                AuthorizationCodeGrant(store: store, tokens: userTokens, revocations: revocations),
                RefreshTokenGrant(store: store, tokens: userTokens),
                DeviceCodeGrant(store: store, tokens: userTokens),
                TokenExchangeGrant(issuer: issuer, validator: tokenValidator),
            ], authenticator: clientAuthenticator, rateLimit: clientRateLimit, dpop: dpop, usage: clientUses)
    }

    /// RFC 7591 registration and RFC 7592 configuration of clients.
    public var registrationEndpoint: ClientRegistrationEndpoint {
        ClientRegistrationEndpoint(store: store, clients: clients)
    }

    public var introspectionEndpoint: IntrospectionEndpoint {
        IntrospectionEndpoint(
            authenticator: clientAuthenticator, validator: tokenValidator, rateLimit: clientRateLimit,
            refreshTokens: RefreshTokenIntrospection(store: store))
    }

    public var revocationEndpoint: RevocationEndpoint {
        RevocationEndpoint(
            authenticator: clientAuthenticator, validator: tokenValidator, store: store, revocations: revocations,
            rateLimit: clientRateLimit)
    }

    public var deviceAuthorizationEndpoint: DeviceAuthorizationEndpoint {
        DeviceAuthorizationEndpoint(store: store, authenticator: clientAuthenticator, rateLimit: clientRateLimit)
    }

    public var pushedAuthorizationEndpoint: PushedAuthorizationEndpoint {
        PushedAuthorizationEndpoint(
            store: store, clients: clients, authenticator: clientAuthenticator, rateLimit: clientRateLimit, dpop: dpop)
    }

    /// Passkeys (WebAuthn) of the tenants' users, with this server's public URL as RP id and origin.
    public var passkeys: Passkeys { Passkeys(store: store, sealer: sealer, publicURL: configuration.publicURL) }

    public var endSession: EndSession { EndSession(clients: clients, sealer: sealer) }

    public var userinfoEndpoint: UserinfoEndpoint {
        UserinfoEndpoint(validator: tokenValidator, store: store)
    }

    func discovery(grants: [GrantType], mutualTLS: Bool) -> Discovery {
        Discovery(store: store, grants: grants, mutualTLS: mutualTLS)
    }

    var readiness: Readiness { Readiness(store: store, freshness: freshness, phase: serving) }

    /// Loads what the first requests need before the listener opens: the `system` tenant in the
    /// directory with its keys (its keys are already in the ring since `open`; other tenants'
    /// load on first use, from the store).
    func warmUp() async throws {
        if let system = try await tenants.tenant(slug: .system) { _ = try await tenants.keys(for: system) }
    }

    var adminServices: AdminServices {
        AdminServices(
            administration: administration, keyManagement: keyManagement, accountService: accountService,
            tokenValidator: tokenValidator, publicURL: configuration.publicURL)
    }

    var clientRateLimit: ClientRateLimit { ClientRateLimit(limiter: rateLimiter) }

    /// The background work `serve` runs beside HTTP.
    public var backgroundServices: [any Service] {
        [
            ChangeFollower(
                store: store, tenants: tenants, clients: clients, revocations: revocations,
                freshness: freshness, startPosition: changesSeenUpTo, pollInterval: configuration.changePollInterval,
                phase: serving, logger: logger),
            KeyRotationScheduler(keys: keyManagement, interval: configuration.keyScheduleInterval, logger: logger),
            PurgeScheduler(
                store: store, interval: configuration.purgeInterval, changeHistory: configuration.changeHistory,
                logger: logger),
            ClusterHeartbeat(
                registry: store, share: rateLimiter.cluster, interval: configuration.heartbeatInterval,
                logger: logger),
            BackChannelLogoutSender(
                store: store, tenants: tenants, publicURL: configuration.publicURL,
                policy: OutboundAddressPolicy(allowLoopback: configuration.outboundAllowLoopback),
                retries: .init(base: configuration.backchannelRetryBase), logger: logger),
        ]
    }

    public func close() async {
        await store.close()
    }
}
