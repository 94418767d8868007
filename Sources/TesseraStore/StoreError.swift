/// What the storage layer reports, whichever backend is behind it. Backend errors are mapped
/// to these at the backend's edge, so callers never see a driver type.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A unique key is taken (duplicate slug, username, scope name) or a version check failed.
    case conflict(String)
    /// The row to change does not exist in this tenant.
    case notFound(String)
    /// The database cannot be reached or refused the connection; heals when it comes back.
    case unavailable(String)
    /// A stored row cannot be read back into a domain value.
    case corrupt(String)
    /// The schema cannot be brought up to date.
    case migration(String)
    /// The database URL or master key configuration is unusable.
    case configuration(String)

    public var description: String {
        switch self {
        case .conflict(let what): "already exists or was changed concurrently: \(what)"
        case .notFound(let what): "not found: \(what)"
        case .unavailable(let why): "database unavailable: \(why)"
        case .corrupt(let what): "unreadable stored data: \(what)"
        case .migration(let why): "migration failed: \(why)"
        case .configuration(let why): why
        }
    }
}
