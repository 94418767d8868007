import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The outgoing half of Back-Channel Logout 1.0 §2.5: one logout token POSTed as
/// `application/x-www-form-urlencoded` `logout_token=…` to the client's
/// `backchannel_logout_uri`, with short connect and read timeouts, no redirects followed, and
/// the answer's body read only up to a small bound. §2.8: 200 (or 204) is success; any other
/// status, a timeout or a refused connection is a failure to retry.
public struct LogoutTokenPoster: Sendable {
    let client: HTTPClient
    let policy: OutboundAddressPolicy
    static let timeout: TimeAmount = .seconds(8)

    /// The HTTP client of the deliveries: redirects never followed (§2.5 posts to the registered
    /// URI only), 3 s to connect, 5 s to answer.
    public static func makeClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(3), read: .seconds(5)))
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public init(client: HTTPClient, policy: OutboundAddressPolicy) {
        self.client = client
        self.policy = policy
    }

    /// Nil when the client accepted the token; otherwise what went wrong, for the audit log.
    func post(_ token: String, to uri: String) async -> String? {
        guard let host = URLComponents(string: uri)?.host else { return "the URI has no host" }
        if let refusal = await policy.refusal(host: host) { return "not contacted: \(refusal)" }
        var request = HTTPClientRequest(url: uri)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Cache-Control", value: "no-store")
        // A compact JWS is base64url and dots: nothing in it needs form encoding.
        request.body = .bytes(ByteBuffer(string: "logout_token=" + token))
        do {
            let response = try await client.execute(request, timeout: Self.timeout)
            _ = try? await response.body.collect(upTo: 16_384)
            switch response.status.code {
            case 200, 204: return nil
            default: return "answered HTTP \(response.status.code)"
            }
        } catch {
            return "no answer: \(error)"
        }
    }
}
