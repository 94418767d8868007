import Foundation
import HTTPTypes
import Hummingbird
import TesseraJOSE
import TesseraOAuth

/// `POST {issuer}/register` (RFC 7591 §3) and `GET`, `PUT`, `DELETE {issuer}/register/{id}`
/// (RFC 7592 §2): JSON in, JSON out, never cached; errors as RFC 7591 §3.2.2 JSON with RFC 6750
/// challenges for a missing or bad bearer token. Registrations from one address are limited to
/// the tenant's `registration_rate_limit` per minute, for the whole cluster.
struct RegistrationRoutes {
    let endpoint: ClientRegistrationEndpoint
    let rateLimiter: RateLimiter

    func register(on tenant: RouterGroup<TenantRequestContext>) {
        let path = ClientRegistrationEndpoint.path
        tenant.post(RouterPath(path)) { request, context in
            if let address = context.remoteAddress,
                let wait = await rateLimiter.admit(
                    "registration|\(context.tenant.id)|\(address)",
                    perMinute: context.tenant.settings.registrationRateLimit)
            {
                return TokenRoutes.errorResponse(.tooManyRequests(retryAfter: wait))
            }
            return await answer(request, context, status: .created) { (request) throws(OAuthError) in
                try await endpoint.register(request)
            }
        }
        tenant.get(RouterPath(path + "/:client_id")) { request, context in
            await answer(request, context) { (request) throws(OAuthError) in
                try await endpoint.read(clientID: Self.clientID(context), request)
            }
        }
        tenant.put(RouterPath(path + "/:client_id")) { request, context in
            await answer(request, context) { (request) throws(OAuthError) in
                try await endpoint.update(clientID: Self.clientID(context), request)
            }
        }
        tenant.delete(RouterPath(path + "/:client_id")) { request, context in
            do throws(OAuthError) {
                try await endpoint.delete(clientID: Self.clientID(context), try await Self.read(request, context))
                // RFC 7592 §2.3: 204 No Content.
                return Response(status: .noContent, headers: TokenRoutes.noStore)
            } catch {
                return TokenRoutes.errorResponse(OAuthErrorResponse(error))
            }
        }
    }

    private static func clientID(_ context: TenantRequestContext) -> String {
        context.parameters.get("client_id") ?? ""
    }

    private func answer(
        _ request: Request, _ context: TenantRequestContext, status: HTTPResponse.Status = .ok,
        _ handle: @Sendable (ClientRegistrationEndpoint.Request) async throws(OAuthError) -> JSONObject
    ) async -> Response {
        do throws(OAuthError) {
            let information = try await handle(try await Self.read(request, context))
            return JSONResponse.make(information, status: status, headers: TokenRoutes.noStore)
        } catch {
            if error.code == .temporarilyUnavailable {
                context.logger.warning("Registration request failed", metadata: ["error": "\(error.body)"])
            }
            return TokenRoutes.errorResponse(OAuthErrorResponse(error))
        }
    }

    private static func read(
        _ request: Request, _ context: TenantRequestContext
    ) async throws(OAuthError) -> ClientRegistrationEndpoint.Request {
        var bytes: [UInt8] = []
        if request.method == .post || request.method == .put {
            do {
                bytes = Array(try await request.body.collect(upTo: 64 * 1024).readableBytesView)
            } catch {
                throw .invalidClientMetadata("the request body is larger than 65536 bytes")
            }
        }
        return ClientRegistrationEndpoint.Request(
            tenant: context.tenant, body: bytes,
            bearer: BearerToken.from(authorization: request.headers[.authorization]),
            requestID: context.requestID)
    }
}
