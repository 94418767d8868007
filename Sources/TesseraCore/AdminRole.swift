import Foundation

/// What a person may administer at a tenant (INTERFACE.md `tessera user role add`): all of it, or
/// one area. A role is the right to carry that area's admin scope in a token issued for the
/// person (docs/admin-roles.md), so the admin API checks people exactly as it checks clients,
/// and the audit log names the person.
public enum AdminRole: String, CaseIterable, Sendable, Codable, Comparable {
    case admin
    case clients = "admin:clients"
    case users = "admin:users"
    case scopes = "admin:scopes"
    case keys = "admin:keys"
    case audit = "admin:audit"
    case settings = "admin:settings"

    /// The admin scope the role lets a token carry.
    public var scope: String { "tessera:" + rawValue }

    public static func < (lhs: AdminRole, rhs: AdminRole) -> Bool {
        (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
    }

    /// `tessera:admin` and `tessera:admin:…`: scopes a person's token carries only with a role.
    public static func isAdminScope(_ scope: String) -> Bool {
        scope == "tessera:admin" || scope.hasPrefix("tessera:admin:")
    }

    /// Whether holding `roles` lets a person's token carry `scope`: every scope that is not an
    /// admin scope; an admin scope with its role, or with `admin`, which holds every area.
    public static func permits(_ scope: String, roles: [AdminRole]) -> Bool {
        guard isAdminScope(scope) else { return true }
        return roles.contains(.admin) || roles.contains { $0.scope == scope }
    }

    public static func parse(_ text: String) throws(ValidationError) -> AdminRole {
        guard let role = AdminRole(rawValue: text) else {
            throw ValidationError(
                field: "role",
                "'\(text.prefix(100))' is not a role; use one of "
                    + allCases.map(\.rawValue).joined(separator: ", "))
        }
        return role
    }
}
