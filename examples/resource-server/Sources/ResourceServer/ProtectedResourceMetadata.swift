import Foundation
import Hummingbird

/// RFC 9728 protected-resource metadata: what a client that only knows this API's URL needs to
/// get a token for it, the authorization server (the Tessera tenant) above all. Served at
/// `/.well-known/oauth-protected-resource` (§3; the resource identifier here has no path), and
/// named in every challenge (`resource_metadata`, §5.1), so a client that met a 401 finds its
/// way to Tessera's metadata (RFC 8414) by itself, as MCP clients do.
struct ProtectedResourceMetadata: Sendable {
    static let path = "/.well-known/oauth-protected-resource"

    /// The resource identifier (§2 `resource`): the audience tokens must name.
    let resource: String
    let issuer: String
    let scopes: [String]
    /// Where clients reach this API: the metadata's own URL is built on it.
    let publicURL: String

    var url: String { publicURL + Self.path }

    func register(on router: Router<APIRequestContext>) {
        router.get(RouterPath(Self.path)) { _, _ in
            let document: [String: Any] = [
                "resource": resource, "authorization_servers": [issuer], "scopes_supported": scopes,
                "bearer_methods_supported": ["header"], "resource_name": "Orders API (Tessera example)",
                "dpop_signing_alg_values_supported": DPoPProofVerifier.algorithmNames.split(separator: " ").map(
                    String.init),
                "tls_client_certificate_bound_access_tokens": true,
            ]
            let body = try JSONSerialization.data(
                withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
            return Response(
                status: .ok, headers: [.contentType: "application/json", .cacheControl: "public, max-age=300"],
                body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }
}
