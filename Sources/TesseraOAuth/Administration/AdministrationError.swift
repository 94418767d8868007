/// Why an administrative change was refused, besides invalid input (`ValidationError`).
public enum AdministrationError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownTenant(String)
    case unknownClient(String)
    case unknownUser(String)
    case unknownIdentityProvider(String)
    case unknownRegistrationToken(String)
    case unknownResource(String)
    /// A client asked for a scope the tenant does not have (answered like invalid input).
    case unknownScope(String)
    case duplicate(String)
    case tenantDisabled(String)
    /// The caller's `If-Match` names a version that is no longer the stored one.
    case versionMismatch(current: String?)

    public var description: String {
        switch self {
        case .unknownTenant(let slug): "no tenant '\(slug)'"
        case .unknownClient(let id): "no client '\(id)' in this tenant"
        case .unknownUser(let id): "no user '\(id)' in this tenant"
        case .unknownIdentityProvider(let slug): "no identity provider '\(slug)' in this tenant"
        case .unknownRegistrationToken(let id): "no initial access token '\(id)' in this tenant"
        case .unknownResource(let identifier): "no protected resource '\(identifier.prefix(200))' in this tenant"
        case .unknownScope(let name): "this tenant has no scope '\(name)'"
        case .duplicate(let what): "\(what) already exists"
        case .tenantDisabled(let slug): "tenant '\(slug)' is disabled"
        case .versionMismatch: "it was changed since you read it; read it again and reapply your change"
        }
    }
}
