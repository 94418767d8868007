import ArgumentParser
import AsyncHTTPClient
import Hummingbird
import Logging

/// An API that accepts a Tessera tenant's access tokens on its own: no call to Tessera per
/// request, only the tenant's published keys, cached as the issuer says; sender-constrained
/// tokens only from their sender (a DPoP proof, or the client certificate a trusted proxy saw).
@main
struct ResourceServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "example-resource-server",
        abstract: "An Orders API that verifies Tessera access tokens with the tenant's JWKS.")

    @Option(help: "The tenant's issuer, e.g. http://127.0.0.1:8080/t/demo") var issuer: String
    @Option(help: "This API's identifier: tokens must name it in aud.") var audience = "https://orders.example.com"
    @Option(help: "Where to listen (loopback).") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 9090
    @Option(help: "How clients address this API, for DPoP proofs' htu (default: http://HOST:PORT).")
    var publicURL: String?
    @Option(help: "The address of a TLS proxy whose Client-Cert header (RFC 9440) is believed (repeatable).")
    var trustedProxy: [String] = []
    @Option(help: "The acr /invoices needs (RFC 9470 step-up), e.g. urn:tessera:acr:2fa.")
    var invoicesAcr: String?

    func run() async throws {
        var logger = Logger(label: "resource-server")
        logger.logLevel = .info
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let keys = IssuerKeys(issuer: issuer, http: http)
        let router = Router(context: APIRequestContext.self)
        let access = SenderConstrainedAccess(
            tokens: AccessTokenVerifier(issuer: issuer, audience: audience, keys: keys),
            proofs: DPoPProofVerifier(replays: ProofReplayCache()),
            certificates: ClientCertificateHeader(trustedProxies: Set(trustedProxy)),
            publicURL: (publicURL ?? "http://\(host):\(port)").trimmingSuffix("/"))
        let metadata = ProtectedResourceMetadata(
            resource: audience, issuer: issuer, scopes: ["orders:read", "billing:read"],
            publicURL: (publicURL ?? "http://\(host):\(port)").trimmingSuffix("/"))
        metadata.register(on: router)
        OrdersAPI(
            access: access, challenge: Challenge(realm: audience, resourceMetadata: metadata.url),
            invoicesACR: invoicesAcr
        ).register(on: router)
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: port)), logger: logger)
        do {
            try await app.runService()
        } catch {
            try await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
