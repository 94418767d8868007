import HTTPTypes
import Hummingbird
import TesseraOAuth

/// The JSON error shape of the OAuth endpoints (RFC 6749 §5.2: `error`, `error_description`),
/// and of every JSON answer outside the admin API that is not a success: unknown tenants,
/// rate limits, outages, internal errors. Never cached.
struct OAuthErrorResponse: HTTPResponseError {
    let status: HTTPResponse.Status
    let error: String
    let description: String?
    var headers: HTTPFields = [:]

    init(status: HTTPResponse.Status, error: String, description: String?, headers: HTTPFields = [:]) {
        self.status = status
        self.error = error
        self.description = description
        self.headers = headers
    }

    /// An `OAuthError` of the protocol layer with its status, `WWW-Authenticate` challenge
    /// (RFC 6749 §5.2 for `invalid_client`) and `Retry-After`.
    init(_ error: OAuthError) {
        var headers: HTTPFields = [:]
        if let challenge = error.wwwAuthenticate { headers[.wwwAuthenticate] = challenge }
        if let retryAfter = error.retryAfter { headers[.retryAfter] = String(retryAfter) }
        if let nonce = error.dpopNonce { headers[.dpopNonce] = nonce }
        self.init(
            status: HTTPResponse.Status(code: error.status), error: error.code.rawValue,
            description: error.description, headers: headers)
    }

    var response: Response {
        var headers = self.headers
        headers[.cacheControl] = "no-store"
        var body: [String: String] = ["error": error]
        body["error_description"] = description
        return JSONResponse.make(body, status: status, headers: headers)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response { response }

    /// 429 with `Retry-After` in whole seconds (RFC 9110 §10.2.3), at least 1.
    static func tooManyRequests(retryAfter wait: Duration) -> OAuthErrorResponse {
        OAuthErrorResponse(
            status: .tooManyRequests, error: "rate_limited",
            description: "too many requests; retry after the Retry-After delay",
            headers: [.retryAfter: String(wait.retryAfterSeconds)])
    }
}
