import Hummingbird
import Logging
import ServiceLifecycle

/// Builds the HTTP application: the one function `tessera serve` and the tests share, so what
/// the tests drive is what runs.
public func buildApplication(runtime: TesseraRuntime, services: [any Service] = []) -> some ApplicationProtocol {
    let router = Router(context: TesseraRequestContext.self)
    router.addMiddleware {
        RequestIDMiddleware()
        LogRequestsMiddleware(.info)
        MetricsMiddleware()
        SecurityHeadersMiddleware()
        ErrorMiddleware()
    }
    OperationsRoutes(store: runtime.store, registry: Observability.registry).register(on: router)
    let tokenEndpoint = runtime.tokenEndpoint
    DiscoveryRoutes(runtime: runtime, grants: tokenEndpoint.supportedGrants).register(on: router)
    TokenRoutes(
        runtime: runtime, token: tokenEndpoint, introspection: runtime.introspectionEndpoint,
        revocation: runtime.revocationEndpoint, deviceAuthorization: runtime.deviceAuthorizationEndpoint
    ).register(on: router)
    let pages = PageRenderer()
    AuthorizationRoutes(runtime: runtime, pages: pages).register(on: router)
    AccountRoutes(runtime: runtime, pages: pages).register(on: router)
    DeviceRoutes(runtime: runtime, pages: pages).register(on: router)
    AdminRoutes(runtime: runtime).register(on: router)
    UserinfoRoutes(runtime: runtime, endpoint: runtime.userinfoEndpoint).register(on: router)

    let configuration = runtime.configuration
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Tessera"),
        services: services,
        logger: runtime.logger)
}
