import Foundation
import TesseraCore

/// Turns registered metadata into a client under the tenant's registration policy
/// (docs/dynamic-client-registration.md): RFC 7591 §2's defaults, the consistency of grant and
/// response types (§2.1), redirect URIs by RFC 8252 (https; http only on a loopback IP literal;
/// private-use schemes that are reverse domain names; never a fragment or a wildcard), only the
/// grant types and scopes the policy lets registered clients have, and the common client rules
/// (`Client.validate`) last.
struct RegistrationRules: Sendable {
    let policy: RegistrationPolicy
    let tenantScopes: Set<String>

    /// The authentication methods a client may register itself with; certificate-bound ones
    /// need a proxy an administrator set up.
    static let authMethods: [ClientAuthMethod] = [.clientSecretBasic, .clientSecretPost, .privateKeyJWT, .none]

    /// Where the metadata comes from: a registration request (RFC 7591) with the record of its
    /// RFC 7592 token, or a client ID metadata document with the keys its `jwks_uri` named.
    enum Source: Sendable {
        case registration(ClientRegistrationRecord)
        case metadataDocument(fetchedJWKS: String?)

        var origin: ClientOrigin {
            switch self {
            case .registration: .registration
            case .metadataDocument: .metadataDocument
            }
        }
    }

    /// The client `metadata` describes: a new one (`existing` nil) with its secret when it gets
    /// one, or `existing` with the metadata replaced (RFC 7592 §2.2), its secret kept.
    func client(
        from metadata: ClientMetadata, id: String, tenantID: UUID, existing: Client?,
        registration: ClientRegistrationRecord,
        now: Date
    ) throws(OAuthError) -> (client: Client, secret: String?) {
        try client(
            from: metadata, id: id, tenantID: tenantID, existing: existing, source: .registration(registration),
            now: now)
    }

    func client(
        from metadata: ClientMetadata, id: String, tenantID: UUID, existing: Client?, source: Source, now: Date
    ) throws(OAuthError) -> (client: Client, secret: String?) {
        let method = try authMethod(metadata, existing: existing, source: source)
        let grants = try grantTypes(metadata)
        try checkResponseTypes(metadata, grants: grants)
        let redirectURIs = try metadata.redirectURIs.map { uri throws(OAuthError) in try Self.redirectURI(uri) }
        let scopes = try scopes(metadata, grants: grants, source: source)
        try Self.checkDescription(metadata.described)
        var jwks = metadata.jwks
        switch source {
        case .registration:
            if metadata.jwksURI != nil {
                throw .invalidClientMetadata("jwks_uri is not supported for registered clients; send the keys as jwks")
            }
        case .metadataDocument(let fetched):
            if metadata.jwksURI != nil, metadata.jwks != nil {
                throw .invalidClientMetadata("jwks and jwks_uri must not both be present (RFC 7591 §2)")
            }
            jwks = fetched ?? jwks
        }
        if method == .privateKeyJWT, jwks == nil {
            throw .invalidClientMetadata("private_key_jwt needs the client's public keys (jwks or jwks_uri)")
        }
        let secret = existing == nil && method.usesSecret ? RandomToken.generate() : nil
        var client = Client(
            tenantID: tenantID, id: id, name: try Self.name(metadata, redirectURIs: redirectURIs), authMethod: method,
            secretHash: existing?.secretHash ?? secret.map(SecretHash.init(of:)),
            jwks: method == .privateKeyJWT ? jwks : nil, grantTypes: grants, scopes: scopes,
            redirectURIs: redirectURIs, version: existing?.version ?? 1, createdAt: existing?.createdAt ?? now,
            updatedAt: now)
        client.requirements.dpopBoundAccessTokens = metadata.dpopBoundAccessTokens ?? false
        client.origin = existing?.origin ?? source.origin
        client.verified = existing?.verified ?? false
        client.status = existing?.status ?? .active
        client.lastUsedAt = existing?.lastUsedAt
        switch source {
        case .registration(let record): client.registration = record
        case .metadataDocument:
            // No RFC 7592 token: the document is the configuration; what it says to people is kept.
            client.registration = ClientRegistrationRecord(accessTokenHash: nil, metadata: metadata.described)
        }
        do {
            try client.validate()
        } catch {
            throw error.field == "redirect-uri"
                ? .invalidRedirectURI(error.message) : .invalidClientMetadata(error.message)
        }
        return (client, secret)
    }

    /// A metadata document's client holds no secret (the document is public): `none` or
    /// `private_key_jwt`, `none` when it names no method.
    static let documentAuthMethods: [ClientAuthMethod] = [.none, .privateKeyJWT]

    private func authMethod(
        _ metadata: ClientMetadata, existing: Client?, source: Source
    ) throws(OAuthError) -> ClientAuthMethod {
        let allowed: [ClientAuthMethod]
        let name: String
        switch source {
        case .registration:
            // RFC 7591 §2: "If unspecified or omitted, the default is client_secret_basic".
            allowed = Self.authMethods
            name = metadata.tokenEndpointAuthMethod ?? ClientAuthMethod.clientSecretBasic.rawValue
        case .metadataDocument:
            allowed = Self.documentAuthMethods
            name = metadata.tokenEndpointAuthMethod ?? ClientAuthMethod.none.rawValue
        }
        guard let method = ClientAuthMethod(rawValue: name), allowed.contains(method) else {
            throw .invalidClientMetadata(
                "token_endpoint_auth_method must be one of " + allowed.map(\.rawValue).joined(separator: ", "))
        }
        if let existing, existing.authMethod != method {
            throw .invalidClientMetadata("token_endpoint_auth_method cannot change; register a new client")
        }
        return method
    }

    private func grantTypes(_ metadata: ClientMetadata) throws(OAuthError) -> [GrantType] {
        // RFC 7591 §2: "If omitted, the default behavior is that the client will use only the
        // authorization_code Grant Type".
        var grants: [GrantType] = []
        for name in metadata.grantTypes ?? [GrantType.authorizationCode.rawValue] {
            guard let grant = GrantType(rawValue: name) else {
                throw .invalidClientMetadata("grant type '\(name.prefix(100))' is not supported")
            }
            guard policy.grantTypes.contains(grant) else {
                throw .invalidClientMetadata("grant type '\(name)' is not one this tenant lets registered clients have")
            }
            if !grants.contains(grant) { grants.append(grant) }
        }
        guard !grants.isEmpty else { throw .invalidClientMetadata("grant_types must not be empty") }
        return grants
    }

    /// RFC 7591 §2.1: `code` goes with `authorization_code`, and the code flow is the only
    /// response type Tessera has.
    private func checkResponseTypes(_ metadata: ClientMetadata, grants: [GrantType]) throws(OAuthError) {
        let usesCode = grants.contains(.authorizationCode)
        let types = metadata.responseTypes ?? (usesCode ? ["code"] : [])
        if let other = types.first(where: { $0 != "code" }) {
            throw .invalidClientMetadata("response type '\(other.prefix(100))' is not supported; use code")
        }
        if usesCode != types.contains("code") {
            throw .invalidClientMetadata(
                "response_types and grant_types disagree: code goes with authorization_code (RFC 7591 §2.1)")
        }
    }

    /// RFC 8252 §7 and §8.3, RFC 9700 §2.1: exact URIs a native or web app owns.
    static func redirectURI(_ text: String) throws(OAuthError) -> RedirectURI {
        guard !text.contains("*") else {
            throw .invalidRedirectURI("'\(text.prefix(200))': wildcards are not allowed; register each URI exactly")
        }
        let uri: RedirectURI
        do {
            uri = try RedirectURI(text)
        } catch {
            throw .invalidRedirectURI(error.message)
        }
        if let components = URLComponents(string: text), components.scheme?.lowercased() == "http",
            components.host?.lowercased() == "localhost"
        {
            throw .invalidRedirectURI("use the loopback IP literal 127.0.0.1 or [::1], not localhost (RFC 8252 §8.3)")
        }
        if let components = URLComponents(string: text), components.user != nil || components.password != nil {
            throw .invalidRedirectURI("'\(text.prefix(200))' must not carry user information")
        }
        return uri
    }

    /// RFC 7591 §2 and §3.2.1: the server may register fewer scopes than asked for, and says so
    /// in its answer; a client that asks for a scope it cannot have gets the rest (MCP clients
    /// add `offline_access` on their own, for instance). Nothing left of what it asked for is
    /// a refusal. `offline_access` (OIDC Core §11) comes with the `refresh_token` grant.
    /// A registration without `scope` gets the policy's scopes, `offline_access` only when asked
    /// for; a metadata document without one gets it with the `refresh_token` grant, since no
    /// registration response can tell the document's client what it was given instead.
    private func scopes(_ metadata: ClientMetadata, grants: [GrantType], source: Source) throws(OAuthError) -> ScopeSet
    {
        var allowed = Set(policy.scopes).intersection(tenantScopes)
        if grants.contains(.refreshToken), tenantScopes.contains("offline_access") { allowed.insert("offline_access") }
        guard let text = metadata.scope else {
            if case .metadataDocument = source { return ScopeSet(allowed) }
            return ScopeSet(allowed.subtracting(["offline_access"]))
        }
        let requested: ScopeSet
        do {
            requested = try ScopeSet(parsing: text)
        } catch {
            throw .invalidClientMetadata("scope is malformed")
        }
        let granted = requested.sorted.filter(allowed.contains)
        guard !granted.isEmpty || requested.isEmpty else {
            throw .invalidClientMetadata("none of the scopes asked for is one this tenant lets registered clients have")
        }
        return ScopeSet(granted)
    }

    /// The URLs people are shown are https (RFC 7591 §5: they are rendered to the user), and
    /// the rest is bounded.
    static func checkDescription(_ described: RegisteredMetadata) throws(OAuthError) {
        let urls = [
            ("client_uri", described.clientURI), ("logo_uri", described.logoURI), ("tos_uri", described.tosURI),
            ("policy_uri", described.policyURI),
        ]
        for case (let name, let value?) in urls {
            guard value.utf8.count <= 2_000, let url = URLComponents(string: value), url.scheme == "https",
                url.host?.isEmpty == false
            else { throw .invalidClientMetadata("\(name) must be an https URL") }
        }
        guard described.contacts.count <= 10, described.contacts.allSatisfy({ $0.utf8.count <= 200 }) else {
            throw .invalidClientMetadata("contacts: at most 10, each at most 200 characters")
        }
        for case let text? in [described.softwareID, described.softwareVersion] where text.utf8.count > 200 {
            throw .invalidClientMetadata("software_id and software_version are at most 200 characters")
        }
    }

    /// `client_name`, or the host the app lives at, so the consent page names something.
    static func name(_ metadata: ClientMetadata, redirectURIs: [RedirectURI]) throws(OAuthError) -> String {
        let fallback =
            (metadata.described.clientURI ?? redirectURIs.first?.rawValue).flatMap { URLComponents(string: $0)?.host }
            ?? "Unnamed app"
        let name = metadata.clientName ?? fallback
        do {
            return try Tenant.validateName(name)
        } catch {
            throw .invalidClientMetadata("client_name: \(error.message)")
        }
    }
}
