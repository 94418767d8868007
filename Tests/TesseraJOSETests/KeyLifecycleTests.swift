import Foundation
import TesseraCore
import Testing

@testable import TesseraJOSE

@Suite struct KeyLifecycleTests {
    let master = MasterKey.generate()
    let tenantID = UUID()
    let day: TimeInterval = 86_400
    /// When the tenant's keys were made.
    let start = Date(timeIntervalSince1970: 1_700_000_000)

    func initial(_ algorithm: SigningAlgorithm = .es256) throws -> [SigningKeyRecord] {
        try KeyLifecycle.initialKeys(tenantID: tenantID, algorithm: algorithm, now: start, masterKey: master)
            .map(\.record)
    }

    func rotate(
        _ records: [SigningKeyRecord], at now: Date, algorithm: SigningAlgorithm = .es256
    ) throws -> [KeyTransition] {
        try KeyLifecycle.rotate(
            records: records, tenantID: tenantID, algorithm: algorithm, now: now, longestTokenLifetime: 3_660,
            masterKey: master)
    }

    func revoke(_ kid: String, in records: [SigningKeyRecord], at now: Date) throws -> [KeyTransition] {
        try KeyLifecycle.revoke(
            kid: kid, records: records, tenantID: tenantID, algorithm: .es256, now: now, masterKey: master)
    }

    func states(_ records: [SigningKeyRecord]) -> [KeyState: Int] {
        records.reduce(into: [:]) { $0[$1.state, default: 0] += 1 }
    }

    /// Applies `plan` one statement at a time, as the store would, checking after each that the
    /// unique indexes (one current, one next per tenant) hold and that each update finds its row
    /// in the expected state.
    func applyStepByStep(_ plan: [KeyTransition], to records: [SigningKeyRecord]) -> [SigningKeyRecord] {
        var result = records
        for transition in plan {
            if case .update(let record, let expected) = transition {
                #expect(result.first { $0.kid == record.kid }?.state == expected, "update of \(record.kid)")
            }
            result = KeyLifecycle.apply([transition], to: result)
            #expect(states(result)[.current, default: 0] <= 1)
            #expect(states(result)[.next, default: 0] <= 1)
        }
        return result
    }

    @Test func initialKeysAreACurrentKeySigningNowAndANextKey() throws {
        let plan = try KeyLifecycle.initialKeys(tenantID: tenantID, algorithm: .edDSA, now: start, masterKey: master)
        let records = plan.map(\.record)
        #expect(plan.allSatisfy { if case .insert = $0 { true } else { false } })
        #expect(records.map(\.state) == [.current, .next])
        #expect(records.allSatisfy { $0.algorithm == .edDSA && $0.tenantID == tenantID && $0.createdAt == start })
        #expect(records[0].activatedAt == start)
        #expect(records[1].activatedAt == nil)
        #expect(records.allSatisfy { $0.sealedPrivateKey != nil })
        #expect(records[0].kid != records[1].kid)
    }

    @Test func rotationIsNotDueBeforeTheRotationPeriod() throws {
        let records = try initial()
        #expect(
            !KeyLifecycle.dueRotation(
                records: records, now: start + 29 * day, rotationPeriod: Int(30 * day), publishAhead: Int(day)))
    }

    @Test func rotationIsDueOnceThePeriodIsOverAndTheNextKeyIsPublishedLongEnough() throws {
        let records = try initial()
        #expect(
            KeyLifecycle.dueRotation(
                records: records, now: start + 30 * day, rotationPeriod: Int(30 * day), publishAhead: Int(day)))
    }

    @Test func rotationWaitsForTheNextKeyToBePublishedForPublishAhead() throws {
        var records = try initial()
        // The next key was replaced (revoked) an hour ago: it is too new to sign.
        let nextIndex = try #require(records.firstIndex { $0.state == .next })
        let replaced = records[nextIndex]
        records[nextIndex] = SigningKeyRecord(
            tenantID: replaced.tenantID, kid: replaced.kid, algorithm: replaced.algorithm, state: .next,
            publicJWK: replaced.publicJWK, sealedPrivateKey: replaced.sealedPrivateKey,
            createdAt: start + 40 * day - 3_600)
        #expect(
            !KeyLifecycle.dueRotation(
                records: records, now: start + 40 * day, rotationPeriod: Int(30 * day), publishAhead: Int(day)))
        #expect(
            KeyLifecycle.dueRotation(
                records: records, now: start + 41 * day, rotationPeriod: Int(30 * day), publishAhead: Int(day)))
    }

    @Test func rotationIsNotDueWithoutANextKeyToRotateTo() throws {
        let records = try initial().filter { $0.state == .current }
        #expect(
            !KeyLifecycle.dueRotation(
                records: records, now: start + 90 * day, rotationPeriod: Int(30 * day), publishAhead: Int(day)))
    }

    @Test func rotationIsDueAtOnceForATenantThatCannotSign() throws {
        let records = try initial().filter { $0.state == .next }
        #expect(
            KeyLifecycle.dueRotation(
                records: records, now: start, rotationPeriod: Int(30 * day), publishAhead: Int(day)))
    }

    @Test func rotationPromotesNextDemotesCurrentAndPublishesANewNext() throws {
        let records = try initial()
        let oldCurrent = try SigningKeyRecord.inState(.current, of: records)
        let oldNext = try SigningKeyRecord.inState(.next, of: records)
        let now = start + 30 * day
        let plan = try rotate(records, at: now, algorithm: .rs256)
        let after = applyStepByStep(plan, to: records)

        let previous = try SigningKeyRecord.inState(.previous, of: after)
        #expect(previous.kid == oldCurrent.kid)
        #expect(previous.deactivatedAt == now)
        #expect(previous.retireAfter == now + 3_660)
        #expect(previous.activatedAt == oldCurrent.activatedAt)

        let current = try SigningKeyRecord.inState(.current, of: after)
        #expect(current.kid == oldNext.kid)
        #expect(current.activatedAt == now)

        let next = try SigningKeyRecord.inState(.next, of: after)
        #expect(![oldCurrent.kid, oldNext.kid].contains(next.kid))
        #expect(next.algorithm == .rs256)
        #expect(next.createdAt == now)
        #expect(states(after) == [.previous: 1, .current: 1, .next: 1])
        #expect(plan.count == 3)
    }

    @Test func rotationWithoutANextKeyMakesAFreshKeyCurrentAtOnce() throws {
        let records = try initial().filter { $0.state == .current }
        let now = start + 3 * day
        let after = applyStepByStep(try rotate(records, at: now), to: records)
        let current = try SigningKeyRecord.inState(.current, of: after)
        #expect(current.kid != records[0].kid)
        #expect(current.activatedAt == now)
        #expect(current.createdAt == now)
        #expect(states(after) == [.previous: 1, .current: 1, .next: 1])
    }

    @Test func retirementWaitsForRetireAfterThenDestroysThePrivatePart() throws {
        let records = try initial()
        let rotated = KeyLifecycle.apply(try rotate(records, at: start + 30 * day), to: records)
        let previous = try SigningKeyRecord.inState(.previous, of: rotated)
        let retireAfter = try #require(previous.retireAfter)

        #expect(KeyLifecycle.retirements(records: rotated, now: retireAfter - 1).isEmpty)
        let plan = KeyLifecycle.retirements(records: rotated, now: retireAfter)
        #expect(plan.count == 1)
        guard case .update(let retired, let expected) = try #require(plan.first) else {
            Issue.record("retirement must update the existing row")
            return
        }
        #expect(expected == .previous)
        #expect(retired.kid == previous.kid)
        #expect(retired.state == .retired)
        #expect(retired.sealedPrivateKey == nil)
        #expect(retired.endedAt == retireAfter)
    }

    @Test func previousKeyWithoutRetireAfterIsKept() throws {
        var records = try initial()
        let index = try #require(records.firstIndex { $0.state == .current })
        records[index].state = .previous
        #expect(KeyLifecycle.retirements(records: records, now: start + 365 * day).isEmpty)
    }

    @Test func revokingTheCurrentKeyPromotesTheNextKeyAtOnce() throws {
        let records = try initial()
        let oldCurrent = try SigningKeyRecord.inState(.current, of: records)
        let oldNext = try SigningKeyRecord.inState(.next, of: records)
        let now = start + 2 * day
        let after = applyStepByStep(try revoke(oldCurrent.kid, in: records, at: now), to: records)

        let revoked = try SigningKeyRecord.inState(.revoked, of: after)
        #expect(revoked.kid == oldCurrent.kid)
        #expect(revoked.sealedPrivateKey == nil)
        #expect(revoked.endedAt == now)
        let current = try SigningKeyRecord.inState(.current, of: after)
        #expect(current.kid == oldNext.kid)
        #expect(current.activatedAt == now)
        #expect(try SigningKeyRecord.inState(.next, of: after).createdAt == now)
        #expect(states(after) == [.revoked: 1, .current: 1, .next: 1])
    }

    @Test func revokingTheCurrentKeyWithoutANextKeyStillLeavesASigningKey() throws {
        let records = try initial().filter { $0.state == .current }
        let after = applyStepByStep(try revoke(records[0].kid, in: records, at: start + day), to: records)
        #expect(states(after) == [.revoked: 1, .current: 1, .next: 1])
    }

    @Test func revokingTheNextKeyPublishesANewOne() throws {
        let records = try initial()
        let oldNext = try SigningKeyRecord.inState(.next, of: records)
        let after = applyStepByStep(try revoke(oldNext.kid, in: records, at: start + day), to: records)
        #expect(try SigningKeyRecord.inState(.revoked, of: after).kid == oldNext.kid)
        let next = try SigningKeyRecord.inState(.next, of: after)
        #expect(next.kid != oldNext.kid)
        #expect(
            try SigningKeyRecord.inState(.current, of: after).kid == SigningKeyRecord.inState(.current, of: records).kid
        )
    }

    @Test func revokingAPreviousKeyChangesNothingElse() throws {
        let records = try initial()
        let rotated = KeyLifecycle.apply(try rotate(records, at: start + 30 * day), to: records)
        let previous = try SigningKeyRecord.inState(.previous, of: rotated)
        let plan = try revoke(previous.kid, in: rotated, at: start + 30 * day + 60)
        #expect(plan.count == 1)
        #expect(plan.first?.record.state == .revoked)
        #expect(plan.first?.record.sealedPrivateKey == nil)
    }

    @Test func revokingAnUnknownOrEndedKeyIsAnError() throws {
        let records = try initial()
        #expect(throws: KeyError.unknownKey(kid: "nope")) { try revoke("nope", in: records, at: start) }
        let current = try SigningKeyRecord.inState(.current, of: records)
        let revoked = KeyLifecycle.apply(try revoke(current.kid, in: records, at: start), to: records)
        #expect(throws: KeyError.notRevocable(kid: current.kid, state: .revoked)) {
            try revoke(current.kid, in: revoked, at: start)
        }
    }

    @Test func revokingAKeyOfAnotherTenantIsUnknown() throws {
        let other = try Fixture.tenant(.es256)
        let records = try initial() + other.records
        #expect(throws: KeyError.unknownKey(kid: other.records[0].kid)) {
            try revoke(other.records[0].kid, in: records, at: start)
        }
    }

    @Test func scheduledRunGivesANewTenantItsKeys() throws {
        let policy = RotationPolicy(rotationPeriod: Int(30 * day), publishAhead: Int(day), longestTokenLifetime: 3_660)
        let plan = try KeyLifecycle.scheduled(
            records: [], tenantID: tenantID, algorithm: .es256, now: start, policy: policy, masterKey: master)
        #expect(states(applyStepByStep(plan, to: [])) == [.current: 1, .next: 1])
    }

    @Test func scheduledRunPublishesANextKeyBeforeItCanRotate() throws {
        let policy = RotationPolicy(rotationPeriod: Int(30 * day), publishAhead: Int(day), longestTokenLifetime: 3_660)
        let records = try initial().filter { $0.state == .current }
        let plan = try KeyLifecycle.scheduled(
            records: records, tenantID: tenantID, algorithm: .es256, now: start + 60 * day, policy: policy,
            masterKey: master)
        let after = applyStepByStep(plan, to: records)
        #expect(states(after) == [.current: 1, .next: 1])
        #expect(try SigningKeyRecord.inState(.current, of: after).kid == records[0].kid)
    }

    @Test func scheduledRunRetiresAndRotatesWhenBothAreDue() throws {
        let policy = RotationPolicy(rotationPeriod: Int(30 * day), publishAhead: Int(day), longestTokenLifetime: 3_660)
        let records = try initial()
        let first = KeyLifecycle.apply(try rotate(records, at: start + 30 * day), to: records)
        let plan = try KeyLifecycle.scheduled(
            records: first, tenantID: tenantID, algorithm: .es256, now: start + 60 * day, policy: policy,
            masterKey: master)
        let after = applyStepByStep(plan, to: first)
        #expect(states(after) == [.retired: 1, .previous: 1, .current: 1, .next: 1])
    }

    @Test func scheduledRunDoesNothingWhenNothingIsDue() throws {
        let policy = RotationPolicy(rotationPeriod: Int(30 * day), publishAhead: Int(day), longestTokenLifetime: 3_660)
        let plan = try KeyLifecycle.scheduled(
            records: try initial(), tenantID: tenantID, algorithm: .es256, now: start + 10 * day, policy: policy,
            masterKey: master)
        #expect(plan.isEmpty)
    }

    @Test func policyFromSettingsKeepsPreviousKeysForTheLongestTokenLifetimePlusSkew() {
        var settings = TenantSettings()
        settings.accessTokenTTL = 900
        settings.idTokenTTL = 3_600
        let policy = RotationPolicy(settings: settings, clockSkew: 60)
        #expect(policy.longestTokenLifetime == 3_660)
        #expect(policy.rotationPeriod == settings.keyRotationPeriod)
        #expect(policy.publishAhead == settings.keyPublishAhead)
    }
}
