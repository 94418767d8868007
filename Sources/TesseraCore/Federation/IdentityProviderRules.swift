import Foundation

/// What an identity provider's fields must be before it is stored. Each rule names its field,
/// so the admin API points at the member and the CLI prints one line.
extension IdentityProvider {
    public static let slugPattern = TenantSlug.pattern
    public static let nameLength = 1...100
    public static let clientIDLength = 1...255
    public static let secretLength = 1...1_024
    public static let claimNameLength = 1...64

    public static func validateSlug(_ slug: String) throws(ValidationError) -> String {
        do {
            return try TenantSlug(slug).rawValue
        } catch {
            throw ValidationError(field: "slug", "use 1 to 63 of a-z, 0-9 and -, starting with a letter or digit")
        }
    }

    public static func validateName(_ name: String) throws(ValidationError) -> String {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard nameLength.contains(trimmed.count), !trimmed.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
            throw ValidationError(field: "name", "a display name is 1 to 100 characters")
        }
        return trimmed
    }

    /// OIDC Discovery §3 and §4.3: an https URL with no query or fragment (http only for a
    /// loopback host, for development; the outbound fetcher decides whether it is reachable).
    public static func validateIssuer(_ issuer: String) throws(ValidationError) -> String {
        guard let url = URLComponents(string: issuer), let host = url.host, !host.isEmpty,
            url.query == nil, url.fragment == nil, url.user == nil, url.password == nil
        else {
            throw ValidationError(field: "issuer", "the issuer is an https URL without query or fragment")
        }
        switch url.scheme {
        case "https": break
        // The loopback hosts plain http is taken for, as for redirect URIs (RFC 8252 §7.3).
        case "http" where RedirectURI.loopbackHosts.contains(host.lowercased()): break
        default: throw ValidationError(field: "issuer", "the issuer is an https URL (http only for a loopback host)")
        }
        return issuer
    }

    public static func validateClientID(_ clientID: String) throws(ValidationError) -> String {
        guard clientIDLength.contains(clientID.utf8.count), clientID.utf8.allSatisfy({ (0x20...0x7E).contains($0) })
        else { throw ValidationError(field: "client_id", "the client id is 1 to 255 printable ASCII characters") }
        return clientID
    }

    public static func validateSecret(_ secret: String) throws(ValidationError) -> String {
        guard secretLength.contains(secret.utf8.count) else {
            throw ValidationError(field: "client_secret", "the client secret is 1 to 1024 bytes")
        }
        return secret
    }

    /// OIDC Core §3.1.2.1: `openid` must be among the scopes; each is an RFC 6749 §3.3 token.
    public static func validateScopes(_ scopes: [String]) throws(ValidationError) -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        for scope in scopes {
            guard Scope.nameLength.contains(scope.utf8.count), scope.utf8.allSatisfy(Scope.isScopeTokenByte) else {
                throw ValidationError(field: "scopes", "'\(scope)' is not a scope token (RFC 6749 §3.3)")
            }
            if seen.insert(scope).inserted { result.append(scope) }
        }
        guard seen.contains("openid") else {
            throw ValidationError(field: "scopes", "the scopes must include openid (OIDC Core §3.1.2.1)")
        }
        return result
    }

    public static func validateClaims(_ claims: ClaimMapping) throws(ValidationError) -> ClaimMapping {
        for (field, value) in [("username", claims.username), ("email", claims.email), ("name", claims.name)] {
            guard claimNameLength.contains(value.utf8.count), value.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
            else {
                throw ValidationError(field: "claims.\(field)", "a claim name is 1 to 64 printable ASCII characters")
            }
        }
        return claims
    }
}
