import Foundation
import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraKeys
import TesseraOAuth
import TesseraStore

/// The form-in, JSON-out endpoints of a tenant: token (RFC 6749 §3.2), introspection
/// (RFC 7662) and revocation (RFC 7009). Never cached; any origin.
struct TokenRoutes {
    let runtime: TesseraRuntime
    let token: TokenEndpoint
    let introspection: IntrospectionEndpoint
    let revocation: RevocationEndpoint
    let deviceAuthorization: DeviceAuthorizationEndpoint

    func register(on router: Router<TesseraRequestContext>) {
        typealias Path = AuthorizationServerMetadata.Path
        route(Path.token, on: router) { request, keys in
            let answer = try await token.handle(request, keys: keys)
            return JSONResponse.raw(Data(answer.compactJSON), headers: OAuthResponse.noStore)
        }
        route(Path.introspection, on: router) { request, keys in
            let answer = try await introspection.handle(request, keys: keys)
            return JSONResponse.raw(Data(answer.compactJSON), headers: OAuthResponse.noStore)
        }
        route(Path.deviceAuthorization, on: router) { request, _ in
            JSONResponse.make(try await deviceAuthorization.handle(request), headers: OAuthResponse.noStore)
        }
        route(Path.revocation, on: router) { request, keys in
            try await revocation.handle(request, keys: keys)
            return Response(status: .ok, headers: OAuthResponse.noStore)
        }
    }

    /// One POST endpoint of a tenant: resolve the tenant, read the form, answer OAuth errors as
    /// RFC 6749 §5.2 JSON.
    private func route(
        _ path: String, on router: Router<TesseraRequestContext>,
        _ handle: @escaping @Sendable (TokenRequest, TenantKeys) async throws -> Response
    ) {
        let routerPath = RouterPath("/t/:tenant" + path)
        router.post(routerPath) { request, context in
            let tenant = try await TenantLookup.require(context, in: runtime.tenants)
            // Per address before anything costs work (RFC 6749 §10.10 asks for brute-force protection).
            if let address = context.remoteAddress,
                let wait = await runtime.rateLimiter.admit(
                    "\(tenant.id)|\(address)", rate: tenant.settings.rateLimitPerAddress)
            {
                return OAuthResponse.tooManyRequests(retryAfter: wait)
            }
            let issuer = runtime.configuration.publicURL.issuer(for: tenant.slug)
            do {
                let form = try await OAuthForm.read(request, context)
                let keys = try await runtime.tenants.keys(for: tenant)
                return try await handle(
                    TokenRequest(
                        tenant: tenant, issuer: issuer, form: form,
                        authorizationHeader: request.headers[.authorization],
                        tokenEndpoint: issuer + AuthorizationServerMetadata.Path.token),
                    keys)
            } catch let error as OAuthError {
                return OAuthResponse.error(error, context)
            }
        }
        router.on(routerPath, method: .options) { _, _ in CORS.preflight(methods: "POST") }
    }
}

/// Reading an OAuth form body (RFC 6749 §3.2: `application/x-www-form-urlencoded` only).
enum OAuthForm {
    static let formType = "application/x-www-form-urlencoded"

    static func read(_ request: Request, _ context: TesseraRequestContext) async throws -> FormParameters {
        guard let type = request.headers[.contentType], isFormType(type) else {
            throw OAuthError.invalidRequest("the body must be application/x-www-form-urlencoded")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: FormParameters.maximumBodyLength)
        } catch {
            throw OAuthError.invalidRequest("the body is larger than \(FormParameters.maximumBodyLength) bytes")
        }
        return try FormParameters(body: Array(body.readableBytesView))
    }

    /// The media type before any parameters, without surrounding SP/HTAB, compared
    /// case-insensitively (RFC 9110 §8.3.1). Byte by byte: Foundation's trimming showed in the
    /// token endpoint's profile.
    static func isFormType(_ contentType: String) -> Bool {
        let bytes = Array(contentType.utf8)
        let end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.endIndex
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = bytes[..<end].firstIndex(where: { !isSpace($0) }),
            let last = bytes[..<end].lastIndex(where: { !isSpace($0) })
        else { return false }
        let type = bytes[first...last]
        let lowered = type.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }
        return lowered.elementsEqual(formType.utf8)
    }
}

/// How OAuth answers look on the wire: RFC 6749 §5.1/§5.2 headers, CORS for browser clients.
enum OAuthResponse {
    static var noStore: HTTPFields {
        CORS.headers([.cacheControl: "no-store", .pragma: "no-cache"])
    }

    /// 429 with `Retry-After` in whole seconds (RFC 9110 §10.2.3), at least 1.
    static func tooManyRequests(retryAfter wait: Duration) -> Response {
        var headers = noStore
        headers[.retryAfter] = String(wait.retryAfterSeconds)
        return JSONResponse.make(
            ["error": "rate_limited", "error_description": "too many requests; retry after the Retry-After delay"],
            status: .tooManyRequests, headers: headers)
    }

    static func error(_ error: OAuthError, _ context: TesseraRequestContext) -> Response {
        var headers = noStore
        if let challenge = error.wwwAuthenticate { headers[.wwwAuthenticate] = challenge }
        if let retryAfter = error.retryAfter { headers[.retryAfter] = String(retryAfter) }
        if error.code == .temporarilyUnavailable || error.code == .serverError {
            context.logger.warning("Token request failed", metadata: ["error": "\(error.body)"])
        }
        return JSONResponse.make(
            error.body, status: HTTPResponse.Status(code: error.status), headers: headers)
    }
}

extension HTTPField.Name {
    static let pragma = Self("Pragma")!
}
