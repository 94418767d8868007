import Hummingbird
import Logging
import NIOCore
import TesseraOAuth

/// Per-request state every route and middleware sees.
public struct TesseraRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Echoed as `X-Request-Id` and written into every log line and audit event of the request.
    public var requestID: String
    /// The client's IP address, for per-address rate limits and audit of anonymous failures: the
    /// peer's, or what a trusted proxy forwarded (`TrustedProxyMiddleware`).
    public var remoteAddress: String?
    /// RFC 8705: the client certificate a trusted TLS-terminating proxy forwarded (RFC 9440).
    public var clientCertificate: ClientCertificate?
    /// Set by the tenant wall only; routes behind it read it from `TenantRequestContext`.
    var tenant: TenantContext?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.requestID = ""
        self.remoteAddress = source.channel.remoteAddress?.ipAddress
        self.clientCertificate = nil
        self.tenant = nil
    }

    /// Form and JSON bodies Tessera accepts are small; anything larger is refused before parsing.
    static let maximumBodySize = 64 * 1024
    public var maxUploadSize: Int { Self.maximumBodySize }
}
