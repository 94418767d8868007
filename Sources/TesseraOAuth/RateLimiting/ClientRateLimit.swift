import TesseraCore

/// The per-client budget at the token, introspection, revocation and device endpoints, checked
/// after authentication: counting unauthenticated requests against a client id would let anyone
/// exhaust a client's budget by naming it.
public struct ClientRateLimit: Sendable {
    let limiter: RateLimiter

    public init(limiter: RateLimiter) { self.limiter = limiter }

    public func admit(_ client: AuthenticatedClient, tenant: TenantContext) async throws(OAuthError) {
        guard
            let wait = await limiter.admit(
                "client|\(tenant.id)|\(client.client.id)", rate: tenant.settings.rateLimitPerClient)
        else { return }
        var error = OAuthError(.rateLimited, "the client is over its request budget; retry after Retry-After seconds")
        error.retryAfter = wait.retryAfterSeconds
        throw error
    }
}
