import Foundation
import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraOAuth
import TesseraStore

/// `POST {issuer}/token` (RFC 6749 §3.2): form in, JSON out, never cached, any origin.
struct TokenRoutes {
    let runtime: TesseraRuntime
    let endpoint: TokenEndpoint

    static let path = "/t/:tenant" + AuthorizationServerMetadata.Path.token

    func register(on router: Router<TesseraRequestContext>) {
        router.post(RouterPath(Self.path)) { request, context in
            try await token(request, context)
        }
        router.on(RouterPath(Self.path), method: .options) { _, _ in CORS.preflight(methods: "POST") }
    }

    private func token(_ request: Request, _ context: TesseraRequestContext) async throws -> Response {
        let tenant = try await TenantLookup.require(context, in: runtime.tenants)
        let issuer = runtime.configuration.publicURL.issuer(for: tenant.slug)
        do {
            let form = try await OAuthForm.read(request, context)
            let keys = try await runtime.tenants.keys(for: tenant)
            let answer = try await endpoint.handle(
                TokenRequest(
                    tenant: tenant, issuer: issuer, form: form, authorizationHeader: request.headers[.authorization],
                    tokenEndpoint: issuer + AuthorizationServerMetadata.Path.token),
                keys: keys)
            return JSONResponse.make(answer, headers: OAuthResponse.noStore)
        } catch let error as OAuthError {
            return OAuthResponse.error(error, context)
        }
    }
}

/// Reading an OAuth form body (RFC 6749 §3.2: `application/x-www-form-urlencoded` only).
enum OAuthForm {
    static func read(_ request: Request, _ context: TesseraRequestContext) async throws -> FormParameters {
        guard request.method == .post else { throw OAuthError.invalidRequest("use POST") }
        let type = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces)
        guard type?.lowercased() == "application/x-www-form-urlencoded" else {
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
}

/// How OAuth answers look on the wire: RFC 6749 §5.1/§5.2 headers, CORS for browser clients.
enum OAuthResponse {
    static var noStore: HTTPFields {
        CORS.headers([.cacheControl: "no-store", .pragma: "no-cache"])
    }

    static func error(_ error: OAuthError, _ context: TesseraRequestContext) -> Response {
        var headers = noStore
        if let challenge = error.wwwAuthenticate { headers[.wwwAuthenticate] = challenge }
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
