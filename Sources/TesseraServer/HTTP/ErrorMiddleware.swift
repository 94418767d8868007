import HTTPTypes
import Hummingbird
import Logging
import TesseraOAuth

/// The last line of defence: whatever a route throws becomes a JSON answer, never a stack
/// trace. A database outage is a 503 (it heals when the database is back); anything
/// unexpected is logged with the request id and answered 500 without details.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = TesseraRequestContext

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
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
                    description: "the database is unavailable; retry shortly", headers: [.retryAfter: "1"]
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
