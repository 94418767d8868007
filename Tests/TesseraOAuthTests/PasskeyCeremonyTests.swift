import Foundation
import TesseraCore
import TesseraJOSE
import TesseraStore
import TesseraTestSupport
import Testing

@testable import TesseraOAuth

/// The two WebAuthn ceremonies (WebAuthn L3 §7.1, §7.2) one rule at a time, with a software
/// authenticator that gets exactly one thing wrong per case. Independent authenticators
/// (Chromium, python-fido2) run against the binary in `PasskeyTests`.
@Suite("Passkey ceremonies")
struct PasskeyCeremonyTests {
    static let origin = "https://id.example.com"
    static let rpID = "id.example.com"

    struct Setup {
        let runtime: ProtocolRuntime
        let passkeys: Passkeys
        let tenant: TenantContext
        let user: User
        let clock: TestClock
    }

    final class TestClock: @unchecked Sendable {
        private let lock = NSLock()
        private var now = Date()
        func read() -> Date { lock.withLock { now } }
        func advance(_ seconds: TimeInterval) { lock.withLock { now = now.addingTimeInterval(seconds) } }
    }

    static func with(
        policy: PasskeyUserVerification = .required, _ body: (Setup) async throws -> Void
    ) async throws {
        try await ProtocolFixture.withRuntime(.sqlite) { runtime in
            var tenant = try await ProtocolFixture.acme(runtime)
            if policy != .required {
                tenant = try await runtime.administration.updateSettings(
                    of: tenant, [.passkeyUserVerification: .text(policy.rawValue)], actor: "test")
            }
            let user = try await runtime.administration.createUser(
                in: tenant, username: "alice", password: "alice's long password", actor: "test")
            let clock = TestClock()
            let passkeys = Passkeys(
                store: runtime.store, sealer: BrowserSealer(masterKey: runtime.masterKey),
                publicURL: try PublicURL(Self.origin), clock: { clock.read() })
            try await body(
                Setup(
                    runtime: runtime, passkeys: passkeys, tenant: try await runtime.context(tenant), user: user,
                    clock: clock))
        }
    }

    static func challenge(_ options: String?) throws -> String {
        let text = try #require(options)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let publicKey = try #require(object["publicKey"] as? [String: Any])
        return try #require(publicKey["challenge"] as? String)
    }

    /// A registered authenticator of `setup.user`.
    static func registered(
        _ setup: Setup, key: COSETestKeys.Key = COSETestKeys.es256()
    ) async throws -> TestAuthenticator {
        var authenticator = TestAuthenticator(key)
        let challenge = try challenge(
            setup.passkeys.registrationOptions(for: setup.user, existing: [], tenant: setup.tenant))
        _ = try await setup.passkeys.register(
            authenticator.registration(challenge: challenge, rpID: rpID, origin: origin), name: "Laptop",
            for: setup.user, tenant: setup.tenant)
        authenticator.userHandle = Passkeys.userHandle(setup.user.id)
        return authenticator
    }

    static func signIn(
        _ setup: Setup, _ authenticator: inout TestAuthenticator, expectedUser: UUID? = nil,
        _ make: (inout TestAuthenticator, String) throws -> String = { authenticator, challenge in
            try authenticator.assertion(challenge: challenge, rpID: rpID, origin: origin)
        }
    ) async throws(Passkeys.Failure) -> Passkeys.Verified {
        let challenge: String
        let response: String
        do {
            challenge = try Self.challenge(
                setup.passkeys.authenticationOptions(tenant: setup.tenant, for: expectedUser))
            response = try make(&authenticator, challenge)
        } catch {
            throw .unavailable
        }
        return try await setup.passkeys.authenticate(response, expectedUser: expectedUser, tenant: setup.tenant)
    }

    static func refused(_ body: () async throws(Passkeys.Failure) -> Passkeys.Verified) async -> Bool {
        do throws(Passkeys.Failure) {
            _ = try await body()
            return false
        } catch {
            if case .refused = error { return true }
            return false
        }
    }

    @Test func eachAlgorithmRegistersAndSignsInAsTwoFactors() async throws {
        try await Self.with { setup in
            for key in [COSETestKeys.es256(), COSETestKeys.ed25519(), try COSETestKeys.rs256()] {
                var authenticator = try await Self.registered(setup, key: key)
                let verified = try await Self.signIn(setup, &authenticator)
                #expect(verified.user.id == setup.user.id)
                #expect(AuthenticationMethod.claim(verified.methods) == ["hwk", "user", "mfa"])
            }
            let stored = try await setup.passkeys.list(for: setup.user)
            #expect(Set(stored.map(\.algorithm)) == [-7, -8, -257])
            #expect(stored.allSatisfy { $0.backupEligible && $0.signCount == 1 && $0.transports == ["internal"] })
        }
    }

    @Test func aChallengeOpensOnlyForItsTenantCeremonyUserAndTime() async throws {
        try await Self.with { setup in
            var authenticator = try await Self.registered(setup)
            let other = try await setup.runtime.administration.createTenant(
                slug: "globex", name: "Globex", actor: "test")
            let globex = try await setup.runtime.context(other)
            let foreign = try Self.challenge(setup.passkeys.authenticationOptions(tenant: globex))
            #expect(
                await Self.refused { () async throws(Passkeys.Failure) in
                    try await Self.signIn(setup, &authenticator) { authenticator, _ in
                        try authenticator.assertion(challenge: foreign, rpID: Self.rpID, origin: Self.origin)
                    }
                })
            // A registration challenge is not a sign-in's, nor one made for another user's password.
            let registration = try Self.challenge(
                setup.passkeys.registrationOptions(for: setup.user, existing: [], tenant: setup.tenant))
            #expect(
                await Self.refused { () async throws(Passkeys.Failure) in
                    try await Self.signIn(setup, &authenticator) { authenticator, _ in
                        try authenticator.assertion(challenge: registration, rpID: Self.rpID, origin: Self.origin)
                    }
                })
            let forBob = try Self.challenge(setup.passkeys.authenticationOptions(tenant: setup.tenant, for: UUID()))
            #expect(
                await Self.refused { () async throws(Passkeys.Failure) in
                    try await Self.signIn(setup, &authenticator, expectedUser: setup.user.id) { authenticator, _ in
                        try authenticator.assertion(challenge: forBob, rpID: Self.rpID, origin: Self.origin)
                    }
                })
            // Five minutes and a second later, a challenge is expired.
            let stale = try Self.challenge(setup.passkeys.authenticationOptions(tenant: setup.tenant))
            setup.clock.advance(Passkeys.timeout + 1)
            #expect(
                await Self.refused { () async throws(Passkeys.Failure) in
                    try await Self.signIn(setup, &authenticator) { authenticator, _ in
                        try authenticator.assertion(challenge: stale, rpID: Self.rpID, origin: Self.origin)
                    }
                })
            _ = try await Self.signIn(setup, &authenticator)
        }
    }

    @Test func clientDataMustBeTheCeremonysForOurOriginOutsideAnyFrame() async throws {
        try await Self.with { setup in
            var authenticator = try await Self.registered(setup)
            for (type, origin, extra) in [
                ("webauthn.create", Self.origin, ""), ("webauthn.get", "https://id.example.com:8443", ""),
                ("webauthn.get", "http://id.example.com", ""), ("webauthn.get", "https://evil.example", ""),
                ("webauthn.get", Self.origin, #","topOrigin":"https://evil.example""#),
            ] {
                #expect(
                    await Self.refused { () async throws(Passkeys.Failure) in
                        try await Self.signIn(setup, &authenticator) { authenticator, challenge in
                            try authenticator.assertion(
                                challenge: challenge, rpID: Self.rpID, origin: Self.origin,
                                clientData: TestAuthenticator.clientData(
                                    type: type, challenge: challenge, origin: origin, extra: extra))
                        }
                    }, "\(type) \(origin) \(extra)")
            }
            let crossOrigin = Array(
                #"{"type":"webauthn.get","challenge":"C","origin":"https://id.example.com","crossOrigin":true}"#.utf8)
            #expect(throws: PasskeyRelyingParty.Refusal.self) {
                try setup.passkeys.relyingParty.checkClientData(crossOrigin, ceremony: .authentication)
            }
        }
    }

    @Test func flagsAreCheckedAgainstPolicyAndTheStoredCredential() async throws {
        try await Self.with { setup in
            var authenticator = try await Self.registered(setup)
            let flag = TestAuthenticator.Flag.self
            for flags in [
                flag.userVerified | flag.backupEligible,  // no user presence
                flag.userPresent | flag.backupEligible,  // not verified, policy required
                flag.userPresent | flag.userVerified | flag.backedUp,  // BS without BE; BE changed
                flag.userPresent | flag.userVerified,  // BE changed since registration
            ] {
                #expect(
                    await Self.refused { () async throws(Passkeys.Failure) in
                        try await Self.signIn(setup, &authenticator) { authenticator, challenge in
                            try authenticator.assertion(
                                challenge: challenge, rpID: Self.rpID, origin: Self.origin, flags: flags)
                        }
                    }, "flags \(flags)")
            }
            // Extensions are read to their end: a map passes, anything else or trailing bytes do not.
            _ = try await Self.signIn(setup, &authenticator) { authenticator, challenge in
                try authenticator.assertion(
                    challenge: challenge, rpID: Self.rpID, origin: Self.origin,
                    extensions: TestCBOR.map([(TestCBOR.text("credProtect"), TestCBOR.int(2))]))
            }
            for extensions in [TestCBOR.int(2), TestCBOR.map([]) + [0]] {
                #expect(
                    await Self.refused { () async throws(Passkeys.Failure) in
                        try await Self.signIn(setup, &authenticator) { authenticator, challenge in
                            try authenticator.assertion(
                                challenge: challenge, rpID: Self.rpID, origin: Self.origin, extensions: extensions)
                        }
                    })
            }
        }
    }

    @Test func presenceAloneIsOneFactorWhereThePolicyAllowsIt() async throws {
        try await Self.with(policy: .preferred) { setup in
            var authenticator = try await Self.registered(setup)
            let verified = try await Self.signIn(setup, &authenticator) { authenticator, challenge in
                try authenticator.assertion(
                    challenge: challenge, rpID: Self.rpID, origin: Self.origin,
                    flags: TestAuthenticator.Flag.userPresent | TestAuthenticator.Flag.backupEligible)
            }
            #expect(AuthenticationMethod.claim(verified.methods) == ["hwk", "user"])
            #expect(AuthenticationContext(verified.methods) == .oneFactor)
        }
    }

    @Test func aCounterThatDoesNotGrowIsAClone() async throws {
        try await Self.with { setup in
            var authenticator = try await Self.registered(setup)
            _ = try await Self.signIn(setup, &authenticator)
            _ = try await Self.signIn(setup, &authenticator)
            for counter: UInt32 in [2, 1] {
                do throws(Passkeys.Failure) {
                    _ = try await Self.signIn(setup, &authenticator) { authenticator, challenge in
                        try authenticator.assertion(
                            challenge: challenge, rpID: Self.rpID, origin: Self.origin, counter: counter)
                    }
                    Issue.record("counter \(counter) was accepted")
                } catch {
                    #expect(error == .cloned)
                }
            }
            let audit = try await setup.runtime.store.auditEvents(tenantID: setup.tenant.id, after: nil, limit: 50)
            #expect(audit.filter { $0.action == .passkeyCloned }.count == 2)
        }
    }

    @Test func registrationTakesNoneAttestationOfTheAnsweredCredentialOnce() async throws {
        try await Self.with { setup in
            let authenticator = TestAuthenticator()
            let options = setup.passkeys.registrationOptions(for: setup.user, existing: [], tenant: setup.tenant)
            let challenge = try Self.challenge(options)
            func register(_ json: String) async -> Passkeys.Failure? {
                do throws(Passkeys.Failure) {
                    _ = try await setup.passkeys.register(json, name: "x", for: setup.user, tenant: setup.tenant)
                    return nil
                } catch {
                    return error
                }
            }
            let wrong: [String] = [
                authenticator.registration(
                    challenge: challenge, rpID: Self.rpID, origin: Self.origin, format: "packed"),
                authenticator.registration(
                    challenge: challenge, rpID: Self.rpID, origin: Self.origin,
                    statement: TestCBOR.map([(TestCBOR.text("alg"), TestCBOR.int(-7))])),
                authenticator.registration(challenge: challenge, rpID: "evil.example", origin: Self.origin),
                // The attested credential is another than the one the answer names.
                TestAuthenticator(authenticator.key).registration(
                    challenge: challenge, rpID: Self.rpID, origin: Self.origin,
                    authenticatorData: authenticator.authenticatorData(
                        rpID: Self.rpID, flags: TestAuthenticator.Flag.usual, counter: 0, attested: true)),
                // No attested credential data at all.
                authenticator.registration(
                    challenge: challenge, rpID: Self.rpID, origin: Self.origin,
                    authenticatorData: authenticator.authenticatorData(
                        rpID: Self.rpID, flags: TestAuthenticator.Flag.usual, counter: 0)),
                #"{"type":"public-key","id":"AA","response":{}}"#, "", String(repeating: "x", count: 20_000),
            ]
            for json in wrong {
                let failure = await register(json)
                #expect(failure.map { if case .refused = $0 { true } else { false } } == true, "\(json.prefix(80))")
            }
            #expect(
                await register(authenticator.registration(challenge: challenge, rpID: Self.rpID, origin: Self.origin))
                    == nil)
            // The same answer again: the challenge is spent (and the credential known).
            #expect(
                await register(authenticator.registration(challenge: challenge, rpID: Self.rpID, origin: Self.origin))
                    != nil)
            let fresh = try Self.challenge(
                setup.passkeys.registrationOptions(for: setup.user, existing: [], tenant: setup.tenant))
            #expect(
                await register(authenticator.registration(challenge: fresh, rpID: Self.rpID, origin: Self.origin))
                    != nil)
            #expect(try await setup.passkeys.list(for: setup.user).count == 1)
        }
    }

    /// Mutated attestation objects and assertions: every one is verified or refused, none is
    /// a storage failure, none crashes.
    @Test func mutatedAnswersAreRefusedNeverMisread() async throws {
        try await Self.with { setup in
            var authenticator = try await Self.registered(setup)
            let challenge = try Self.challenge(setup.passkeys.authenticationOptions(tenant: setup.tenant))
            let data = authenticator.authenticatorData(
                rpID: Self.rpID, flags: TestAuthenticator.Flag.usual, counter: 7, attested: true)
            var generator = SystemRandomNumberGenerator()
            var outcomes: [String: Int] = [:]
            for round in 0..<600 {
                var mutated = data
                for _ in 0..<Int.random(in: 1...3, using: &generator) where !mutated.isEmpty {
                    let index = Int.random(in: 0..<mutated.count, using: &generator)
                    switch round % 3 {
                    case 0: mutated[index] ^= UInt8.random(in: 1...255, using: &generator)
                    case 1: mutated.removeSubrange(index...)
                    default: mutated.insert(UInt8.random(in: 0...255, using: &generator), at: index)
                    }
                }
                let registration = TestAuthenticator(authenticator.key, credentialID: authenticator.credentialID)
                    .registration(
                        challenge: challenge, rpID: Self.rpID, origin: Self.origin, authenticatorData: mutated)
                do throws(Passkeys.Failure) {
                    _ = try await setup.passkeys.register(
                        registration, name: "x", for: setup.user, tenant: setup.tenant)
                    outcomes["accepted", default: 0] += 1
                } catch .refused {
                    outcomes["refused", default: 0] += 1
                } catch {
                    outcomes["\(error)", default: 0] += 1
                }
            }
            #expect(outcomes["accepted"] == nil && outcomes["refused"] == 600, "\(outcomes)")
            _ = try await Self.signIn(setup, &authenticator)
        }
    }
}
