import Foundation

/// The `jti`s of the DPoP proofs this API took while they could still be accepted (RFC 9449
/// §11.1: a proof used once must not work again). In memory and bounded, which is right for
/// one instance of this example only: several instances behind a load balancer would each let a
/// proof through once, so they would share this record (a database table or Redis with
/// expiring keys) instead.
actor ProofReplayCache {
    let capacity: Int
    private var expiries: [String: Date] = [:]

    init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    enum Outcome: Equatable {
        case fresh
        case replayed
        /// The record is full of proofs that are all still acceptable: refusing is safer than
        /// forgetting one (which would let it be replayed).
        case full
    }

    /// Records `jti` of the key `jkt` until `expiry` (when its proof's `iat` leaves the
    /// window), unless it was seen before.
    func record(jti: String, jkt: String, until expiry: Date, now: Date = Date()) -> Outcome {
        let key = jkt + " " + jti
        if let seen = expiries[key], seen > now { return .replayed }
        if expiries.count >= capacity { expiries = expiries.filter { $0.value > now } }
        guard expiries.count < capacity else { return .full }
        expiries[key] = expiry
        return .fresh
    }
}
