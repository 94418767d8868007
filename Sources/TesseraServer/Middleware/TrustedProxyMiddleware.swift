import HTTPTypes
import Hummingbird
import Logging
import TesseraOAuth

/// What a TLS-terminating proxy the operator trusts (`TESSERA_TRUSTED_PROXIES`) says about the
/// client behind it: its certificate in the RFC 9440 `Client-Cert` header (RFC 8705 mutual TLS)
/// and its address in `X-Forwarded-For`. From any other peer both headers are ignored, and a
/// `Client-Cert` is logged: anyone can send the header, and believing it would let anyone be
/// any certificate-authenticated client.
struct TrustedProxyMiddleware: RouterMiddleware {
    typealias Context = TesseraRequestContext
    let proxies: TrustedProxies

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let header = request.headers[.clientCert]
        guard let peer = context.remoteAddress, !proxies.isEmpty, proxies.contains(peer) else {
            if header != nil {
                context.logger.warning(
                    "Ignored a Client-Cert header from an address not in TESSERA_TRUSTED_PROXIES",
                    metadata: ["peer": .string(context.remoteAddress ?? "?")])
            }
            return try await next(request, context)
        }
        var context = context
        if let forwarded = Self.client(in: request.headers[values: .xForwardedFor], proxies: proxies) {
            context.remoteAddress = forwarded
        }
        if let header {
            do throws(OAuthError) {
                context.clientCertificate = try ClientCertificate(clientCertHeader: header)
            } catch {
                // The proxy is trusted but sent something else: a configuration error to fix there.
                context.logger.error(
                    "A trusted proxy sent a Client-Cert header that is not an RFC 9440 certificate",
                    metadata: ["peer": .string(peer), "error": .string(error.description ?? "")])
            }
        }
        return try await next(request, context)
    }

    /// The address the nearest untrusted hop connected from: `X-Forwarded-For` read from the
    /// right, past the proxies the operator trusts (each appends the address it saw).
    static func client(in values: [String], proxies: TrustedProxies) -> String? {
        let hops = values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() where !hop.isEmpty {
            if !proxies.contains(hop) { return hop }
        }
        return nil
    }
}

extension HTTPField.Name {
    /// RFC 9440 §2.
    static let clientCert = Self("Client-Cert")!
    static let xForwardedFor = Self("X-Forwarded-For")!
}
