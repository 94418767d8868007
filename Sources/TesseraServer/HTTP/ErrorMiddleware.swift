import HTTPTypes
import Hummingbird
import Logging
import TesseraOAuth

/// The last line of defence: whatever a route throws becomes a JSON answer, never a stack
/// trace. A database outage is a 503 (it heals when the database is back); anything
/// unexpected is logged with the request id and answered 500 without details. Every 503, whoever
/// made it (an OAuth error, an admin problem, an HTML page, `/readyz`), carries `Retry-After`
/// (RFC 9110 §10.2.3), so clients wait out a failover instead of giving up
/// (docs/database-failover.md).
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = TesseraRequestContext

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        var response = try await answer(request, context: context, next: next)
        if response.status == .serviceUnavailable, response.headers[.retryAfter] == nil {
            response.headers[.retryAfter] = Self.retryAfterSeconds
        }
        return response
    }

    /// Seconds a client waits after a 503: about what finding a promoted primary takes.
    static let retryAfterSeconds = "2"

    private func answer(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPResponseError {
            // Answered here rather than rethrown, so the middleware outside (request id, security
            // headers) sees a response and adds its headers to error answers too.
            return try error.response(from: request, context: context)
        } catch {
            if case .unavailable? = StorageFailure(error) {
                context.logger.warning("Database unavailable", metadata: ["error": "\(error)"])
                return OAuthErrorResponse(
                    status: .serviceUnavailable, error: "temporarily_unavailable",
                    description: "the database is unavailable; retry shortly",
                    headers: [.retryAfter: Self.retryAfterSeconds]
                ).response
            }
            context.logger.error("Request failed", metadata: ["error": "\(error)"])
            return OAuthErrorResponse(
                status: .internalServerError, error: "server_error",
                description: "internal error; request id \(context.requestID)"
            ).response
        }
    }
}
