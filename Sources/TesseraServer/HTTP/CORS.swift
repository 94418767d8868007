import HTTPTypes
import Hummingbird

/// Cross-origin access for the public endpoints (INTERFACE.md: discovery, JWKS, token,
/// introspection, revocation, device authorization, userinfo), which browser apps call directly.
/// Any origin: none of them relies on cookies, so no credentials are allowed.
enum CORS {
    static func headers(_ extra: HTTPFields = [:]) -> HTTPFields {
        var fields = extra
        fields[.accessControlAllowOrigin] = "*"
        return fields
    }

    /// The answer to a preflight `OPTIONS` (Fetch standard §3.2.2); `DPoP` is allowed ahead of
    /// RFC 9449 so browser clients need no change when it arrives.
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
