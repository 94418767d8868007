import HTTPTypes
import Hummingbird

/// Cross-origin access for the public endpoints (INTERFACE.md: discovery, JWKS, token,
/// introspection, revocation, device authorization, userinfo), which browser apps call directly.
/// Any origin: none of them relies on cookies, so no credentials are allowed.
enum CORS {
    static func headers(_ extra: HTTPFields = [:]) -> HTTPFields {
        var fields = extra
        fields[.accessControlAllowOrigin] = "*"
        // A browser client reads these only when exposed (Fetch standard §3.2.3): the nonce to
        // use next (RFC 9449 §8) and the challenges of a refused token.
        fields[.accessControlExposeHeaders] = "DPoP-Nonce, WWW-Authenticate"
        return fields
    }

    /// The answer to a preflight `OPTIONS` (Fetch standard §3.2.2), allowing the `DPoP` header
    /// of RFC 9449 proofs.
    static func preflight(methods: String) -> Response {
        Response(
            status: .noContent,
            headers: headers([
                .accessControlAllowMethods: methods + ", OPTIONS",
                .accessControlAllowHeaders: "Authorization, Content-Type, DPoP",
                .accessControlMaxAge: "86400",
            ]))
    }

    /// Adds the preflight answer for `path` of `group`.
    static func allowPreflight<Context: RequestContext>(
        _ path: RouterPath, methods: String, on group: RouterGroup<Context>
    ) {
        group.on(path, method: .options) { _, _ in preflight(methods: methods) }
    }
}
