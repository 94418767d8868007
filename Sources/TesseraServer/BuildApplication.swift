import Hummingbird
import Logging
import ServiceLifecycle

/// Builds the HTTP application: the one function `tessera serve` and the tests share, so what
/// the tests drive is what runs. `beforeServing` runs before the listener opens (`serve` waits
/// there for startup to complete).
public func buildApplication(
    runtime: TesseraRuntime, services: [any Service] = [],
    beforeServing: (@Sendable () async throws -> Void)? = nil
) -> some ApplicationProtocol {
    let configuration = runtime.configuration
    let connections = runtime.connections
    var application = Application(
        router: buildRouter(runtime: runtime),
        server: .http1(configuration: .init(additionalChannelHandlers: [connections.handler()])),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Tessera"),
        services: services,
        logger: runtime.logger)
    if let beforeServing { application.beforeServerStarts(perform: beforeServing) }
    return application
}

/// Every route of the server. Routes of an issuer are added to the tenant wall's groups only, so
/// each of them runs behind the wall (the route-table test walks this router to prove it).
public func buildRouter(runtime: TesseraRuntime) -> Router<TesseraRequestContext> {
    let router = Router(context: TesseraRequestContext.self)
    router.addMiddleware {
        ConnectionCloseMiddleware(drain: runtime.connections)
        TrustedProxyMiddleware(proxies: runtime.configuration.trustedProxies)
        RequestIDMiddleware()
        LogRequestsMiddleware(.info)
        MetricsMiddleware()
        SecurityHeadersMiddleware()
        ErrorMiddleware()
    }
    OperationsRoutes(readiness: runtime.readiness, registry: Observability.registry).register(on: router)
    AdminRoutes.registerDocument(on: router)

    let wall = TenantWall(tenants: runtime.tenants, publicURL: runtime.configuration.publicURL)
    let tenant = TenantWall.group(TenantWall.issuerPath, on: router, wall: wall)
    let metadata = TenantWall.group(TenantWall.metadataPath, on: router, wall: wall)

    let tokenEndpoint = runtime.tokenEndpoint
    let discovery = DiscoveryRoutes(
        discovery: runtime.discovery(
            grants: tokenEndpoint.supportedGrants, mutualTLS: !runtime.configuration.trustedProxies.isEmpty),
        freshness: runtime.freshness)
    discovery.register(on: tenant)
    discovery.registerMetadata(on: metadata)
    TokenRoutes(
        token: tokenEndpoint, introspection: runtime.introspectionEndpoint, revocation: runtime.revocationEndpoint,
        deviceAuthorization: runtime.deviceAuthorizationEndpoint,
        pushedAuthorization: runtime.pushedAuthorizationEndpoint, rateLimiter: runtime.rateLimiter,
        freshness: runtime.freshness
    ).register(on: tenant)
    RegistrationRoutes(endpoint: runtime.registrationEndpoint, rateLimiter: runtime.rateLimiter).register(on: tenant)
    UserinfoRoutes(endpoint: runtime.userinfoEndpoint).register(on: tenant)

    let browser = BrowserPages(
        sealer: runtime.sealer, publicURL: runtime.configuration.publicURL, pages: PageRenderer(),
        sessions: runtime.authorizationFlow.sessions)
    AuthorizationRoutes(flow: runtime.authorizationFlow, browser: browser).register(on: tenant)
    UpstreamRoutes(signIn: runtime.upstreamSignIn, browser: browser).register(on: tenant)
    AccountRoutes(
        flow: runtime.authorizationFlow, account: runtime.accountService, secondFactors: runtime.secondFactors,
        passkeys: runtime.passkeys, browser: browser
    ).register(on: tenant)
    PasskeyRoutes(account: runtime.accountService, passkeys: runtime.passkeys, browser: browser).register(on: tenant)
    AccountSessionRoutes(flow: runtime.authorizationFlow, browser: browser).register(on: tenant)
    SecondFactorRoutes(account: runtime.accountService, secondFactors: runtime.secondFactors, browser: browser)
        .register(on: tenant)
    DeviceRoutes(flow: runtime.authorizationFlow, browser: browser).register(on: tenant)
    EndSessionRoutes(endSession: runtime.endSession, browser: browser).register(on: tenant)
    AdminRoutes(services: runtime.adminServices).register(on: tenant)
    return router
}
