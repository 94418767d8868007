import TesseraCore

/// The one place requested scopes are narrowed (RFC 6749 §3.3).
public enum ScopePolicy {
    /// No `scope` parameter means everything the client may hold; asking for anything beyond
    /// that is `invalid_scope`, not silently dropped, so a client learns its registration is wrong.
    public static func grant(requested: String?, allowed: ScopeSet) throws(OAuthError) -> ScopeSet {
        guard let requested else { return allowed }
        let asked: ScopeSet
        do {
            asked = try ScopeSet(parsing: requested)
        } catch {
            throw .invalidScope("the scope parameter is malformed")
        }
        let refused = asked.subtracting(allowed)
        guard refused.isEmpty else {
            throw .invalidScope("the client may not ask for: \(refused.description)")
        }
        return asked.isEmpty ? allowed : asked
    }
}

extension ScopePolicy {
    /// What the registered resources a user-delegated request names bring (INTERFACE.md): the
    /// scopes each accepts, on top of the client's own. The user consents to each.
    public static func resourceScopes(requested: [String], registered: [ProtectedResource]) -> ScopeSet {
        ScopeSet(registered.filter { requested.contains($0.identifier) }.flatMap(\.scopes))
    }
}

/// The one place a token's audience is chosen (RFC 8707 §2).
public enum AudiencePolicy {
    /// `resource` parameters name the audiences; each must be registered for the client. With
    /// none, the client's first registered audience; a client without any gets tokens for the
    /// issuer itself (the tenant's own APIs, such as the admin API).
    ///
    /// A resource the tenant registered (`tessera resource create`, an API or an MCP server) may
    /// be named by any of its clients, those that registered themselves too (INTERFACE.md).
    public static func audience(
        requested: [String], client: Client, issuer: String, resources: [ProtectedResource]
    ) throws(OAuthError) -> [String] {
        guard !requested.isEmpty else { return [client.audiences.first ?? issuer] }
        for resource in requested
        where !client.audiences.contains(resource) && !resources.contains(where: { $0.identifier == resource }) {
            throw .invalidTarget("the client may not obtain tokens for \(resource.prefix(200))")
        }
        var seen = Set<String>()
        return requested.filter { seen.insert($0).inserted }
    }
}
