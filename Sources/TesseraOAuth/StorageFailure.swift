import TesseraStore

/// A failure of the storage below as the layers above the protocol see it: they do not import
/// the store, yet must answer an outage with 503 (it heals when the database is back), a lost
/// race with 409, and a vanished row with 404.
public enum StorageFailure: Sendable, Equatable {
    case unavailable(String)
    case conflict(String)
    case notFound(String)

    /// Nil when `error` is not a storage failure.
    public init?(_ error: any Error) {
        switch error {
        case StoreError.unavailable(let why): self = .unavailable(why)
        case StoreError.conflict(let what): self = .conflict(what)
        case StoreError.notFound(let what): self = .notFound(what)
        default: return nil
        }
    }
}
