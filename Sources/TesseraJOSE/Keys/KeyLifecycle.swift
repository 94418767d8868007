import Foundation
import TesseraCore

/// The rules of a key's life (`next` → `current` → `previous` → `retired`, or `revoked`), as pure
/// functions from a tenant's records and the time to a plan of `KeyTransition`s. No I/O: the
/// caller reads the records, applies the plan in one transaction, and refreshes the key ring.
/// New keys are generated and sealed here, which needs randomness and the master key, nothing
/// else.
public enum KeyLifecycle {
    /// A new line's keys: one `current` (signing from `now`) and one `next`. A new tenant gets
    /// its main line so; an ID-token line starts so when a client first asks for its algorithm.
    public static func initialKeys(
        tenantID: UUID, algorithm: SigningAlgorithm, now: Date, masterKey: MasterKey, line: KeyLine = .main
    ) throws(KeyError) -> [KeyTransition] {
        [
            .insert(
                try KeyGenerator.generate(algorithm).record(
                    tenantID: tenantID, state: .current, now: now, masterKey: masterKey, line: line)),
            .insert(try newNext(tenantID: tenantID, algorithm: algorithm, now: now, masterKey: masterKey, line: line)),
        ]
    }

    /// True when the current key has signed for `rotationPeriod` seconds and the next key has
    /// been published for at least `publishAhead` seconds. A next key published too recently
    /// delays rotation even if the period is over: resource servers may not know it yet.
    /// Without a next key there is nothing to rotate to (`scheduled` publishes one first);
    /// without a current key rotation is always due, since the tenant cannot sign.
    public static func dueRotation(
        records: [SigningKeyRecord], now: Date, rotationPeriod: Int, publishAhead: Int
    )
        -> Bool
    {
        guard let current = records.first(where: { $0.state == .current }) else { return true }
        guard let next = records.first(where: { $0.state == .next }) else { return false }
        let activated = current.activatedAt ?? current.createdAt
        return activated.addingTimeInterval(TimeInterval(rotationPeriod)) <= now
            && next.createdAt.addingTimeInterval(TimeInterval(publishAhead)) <= now
    }

    /// Rotates one line (the main one unless told): `current` → `previous` (verifying until
    /// `now + longestTokenLifetime`), `next` → `current`, and a new `next` of `algorithm` is
    /// published. Keys of other lines are not touched.
    ///
    /// Emergency case: with no `next` key (one was revoked and not replaced, or the data is
    /// damaged) a fresh key becomes `current` at once. Resource servers holding a cached JWKS
    /// then meet an unknown kid; they are expected to refetch the JWKS once, which is the
    /// accepted cost of rotating without notice.
    public static func rotate(
        records: [SigningKeyRecord], tenantID: UUID, algorithm: SigningAlgorithm, now: Date,
        longestTokenLifetime: Int, masterKey: MasterKey, line: KeyLine = .main
    ) throws(KeyError) -> [KeyTransition] {
        let records = records.filter { $0.tenantID == tenantID && $0.line == line }
        var plan: [KeyTransition] = []
        if var current = records.first(where: { $0.state == .current }) {
            current.state = .previous
            current.deactivatedAt = now
            current.retireAfter = now.addingTimeInterval(TimeInterval(longestTokenLifetime))
            plan.append(.update(current, expectedState: .current))
        }
        plan += try promoteNext(
            records: records, tenantID: tenantID, algorithm: algorithm, now: now, masterKey: masterKey, line: line)
        return plan
    }

    /// `previous` keys whose `retireAfter` has come: every token they signed has expired. They
    /// become `retired`, their private part is destroyed and they leave the JWKS. A `previous`
    /// key without `retireAfter` is kept: retiring it could break tokens still in use.
    public static func retirements(records: [SigningKeyRecord], now: Date) -> [KeyTransition] {
        records.compactMap { record in
            guard record.state == .previous, let retireAfter = record.retireAfter, retireAfter <= now else {
                return nil
            }
            var retired = record
            retired.state = .retired
            retired.sealedPrivateKey = nil
            retired.endedAt = now
            return .update(retired, expectedState: .previous)
        }
    }

    /// Revokes the key `kid` at once: it leaves the JWKS, its private part is destroyed and
    /// every token it signed stops verifying.
    ///
    /// Revoking the `current` key promotes the `next` key immediately (or, if there is none, a
    /// fresh key) so the tenant keeps signing; revoking the `next` key publishes a new one. What
    /// replaces the key is of its own line: `algorithm` for the main line, the line's own
    /// algorithm for an ID-token line.
    public static func revoke(
        kid: String, records: [SigningKeyRecord], tenantID: UUID, algorithm: SigningAlgorithm, now: Date,
        masterKey: MasterKey
    ) throws(KeyError) -> [KeyTransition] {
        guard let key = records.first(where: { $0.tenantID == tenantID && $0.kid == kid }) else {
            throw .unknownKey(kid: kid)
        }
        let line = key.line
        let algorithm = line.algorithm ?? algorithm
        let records = records.filter { $0.tenantID == tenantID && $0.line == line }
        var revoked = key
        revoked.state = .revoked
        revoked.sealedPrivateKey = nil
        revoked.endedAt = now
        let revocation = KeyTransition.update(revoked, expectedState: key.state)
        switch key.state {
        case .retired, .revoked:
            throw .notRevocable(kid: kid, state: key.state)
        case .previous:
            return [revocation]
        case .next:
            return [
                revocation,
                .insert(
                    try newNext(tenantID: tenantID, algorithm: algorithm, now: now, masterKey: masterKey, line: line)),
            ]
        case .current:
            return [revocation]
                + (try promoteNext(
                    records: records, tenantID: tenantID, algorithm: algorithm, now: now, masterKey: masterKey,
                    line: line))
        }
    }

    /// What the periodic job does for one tenant: for each of its lines, retire what has
    /// expired, give a line without a signing key one at once, publish a `next` key if there is
    /// none, and rotate when due. The main line's new keys are of `algorithm` (`key_algorithm`);
    /// an ID-token line's are of its own. Every line follows the same `policy`.
    public static func scheduled(
        records: [SigningKeyRecord], tenantID: UUID, algorithm: SigningAlgorithm, now: Date,
        policy: RotationPolicy, masterKey: MasterKey
    ) throws(KeyError) -> [KeyTransition] {
        let records = records.filter { $0.tenantID == tenantID }
        var lines: [KeyLine] = [.main]
        for record in records where !lines.contains(record.line) { lines.append(record.line) }
        var plan: [KeyTransition] = []
        for line in lines {
            plan += try scheduled(
                line: line, records: records.filter { $0.line == line }, tenantID: tenantID,
                algorithm: line.algorithm ?? algorithm, now: now, policy: policy, masterKey: masterKey)
        }
        return plan
    }

    /// `scheduled` for the keys of one line.
    private static func scheduled(
        line: KeyLine, records: [SigningKeyRecord], tenantID: UUID, algorithm: SigningAlgorithm, now: Date,
        policy: RotationPolicy, masterKey: MasterKey
    ) throws(KeyError) -> [KeyTransition] {
        var plan = retirements(records: records, now: now)
        let hasCurrent = records.contains { $0.state == .current }
        let hasNext = records.contains { $0.state == .next }
        if hasCurrent && !hasNext {
            plan.append(
                .insert(
                    try newNext(tenantID: tenantID, algorithm: algorithm, now: now, masterKey: masterKey, line: line)))
        } else if dueRotation(
            records: records, now: now, rotationPeriod: policy.rotationPeriod, publishAhead: policy.publishAhead)
        {
            plan += try rotate(
                records: records, tenantID: tenantID, algorithm: algorithm, now: now,
                longestTokenLifetime: policy.longestTokenLifetime, masterKey: masterKey, line: line)
        }
        return plan
    }

    /// `records` with `transitions` applied in order: what the store holds after the plan.
    public static func apply(_ transitions: [KeyTransition], to records: [SigningKeyRecord]) -> [SigningKeyRecord] {
        var result = records
        for transition in transitions {
            switch transition {
            case .insert(let record):
                result.append(record)
            case .update(let record, _):
                if let index = result.firstIndex(where: { $0.tenantID == record.tenantID && $0.kid == record.kid }) {
                    result[index] = record
                }
            }
        }
        return result
    }

    /// The existing `next` key becomes `current` now, or a fresh key does if there is none; then
    /// a new `next` is published. Callers have already taken the old `current` out of the way.
    private static func promoteNext(
        records: [SigningKeyRecord], tenantID: UUID, algorithm: SigningAlgorithm, now: Date, masterKey: MasterKey,
        line: KeyLine
    ) throws(KeyError) -> [KeyTransition] {
        var plan: [KeyTransition] = []
        if var next = records.first(where: { $0.state == .next }) {
            next.state = .current
            next.activatedAt = now
            plan.append(.update(next, expectedState: .next))
        } else {
            let fresh = try KeyGenerator.generate(algorithm).record(
                tenantID: tenantID, state: .current, now: now, masterKey: masterKey, line: line)
            plan.append(.insert(fresh))
        }
        plan.append(
            .insert(try newNext(tenantID: tenantID, algorithm: algorithm, now: now, masterKey: masterKey, line: line)))
        return plan
    }

    private static func newNext(
        tenantID: UUID, algorithm: SigningAlgorithm, now: Date, masterKey: MasterKey, line: KeyLine
    )
        throws(KeyError) -> SigningKeyRecord
    {
        try KeyGenerator.generate(algorithm).record(
            tenantID: tenantID, state: .next, now: now, masterKey: masterKey, line: line)
    }
}
