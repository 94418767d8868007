import Foundation
import TesseraCore
import TesseraTestSupport
import Testing

@testable import TesseraStore

/// What the user-delegation records (consents, codes, refresh tokens) must do on every backend:
/// single use under concurrency, replays told apart, families revoked together.
@Suite("Grant store conformance")
struct GrantStoreConformanceTests {
    static func code(
        in tenant: Tenant, clientID: String = "web", expiresIn: TimeInterval = 60
    ) -> (String, AuthorizationCode) {
        let value = RandomToken.generate()
        let now = Date()
        return (
            value,
            AuthorizationCode(
                tenantID: tenant.id, codeHash: SecretHash(of: value), clientID: clientID, userID: UUID(),
                redirectURI: "https://app.example.com/cb", scopes: try! ScopeSet(parsing: "openid orders:read"),
                audience: ["https://api.example.com"],
                codeChallenge: PKCE.challenge(for: String(repeating: "v", count: 43)),
                nonce: "n-1", authTime: now, createdAt: now, expiresAt: now.addingTimeInterval(expiresIn))
        )
    }

    static func refresh(
        in tenant: Tenant, family: UUID = UUID(), user: UUID = UUID(), clientID: String = "web",
        expiresIn: TimeInterval = 3_600
    ) -> (String, RefreshToken) {
        let value = RandomToken.generate()
        let now = Date()
        return (
            value,
            RefreshToken(
                tenantID: tenant.id, tokenHash: SecretHash(of: value), familyID: family, clientID: clientID,
                userID: user,
                scopes: try! ScopeSet(parsing: "orders:read offline_access"), audience: [], authTime: now,
                createdAt: now, expiresAt: now.addingTimeInterval(expiresIn),
                idleExpiresAt: now.addingTimeInterval(expiresIn))
        )
    }

    @Test(arguments: TestBackend.allCases)
    func consentIsSavedReplacedListedAndDeleted(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        let other = try await Fixtures.insertedTenant(store)
        let user = UUID()
        var consent = Consent(
            tenantID: tenant.id, userID: user, clientID: "web", scopes: try ScopeSet(parsing: "openid"),
            createdAt: Fixtures.now)
        try await store.saveConsent(consent)
        consent.scopes = try ScopeSet(parsing: "openid orders:read")
        try await store.saveConsent(consent)
        let read = try #require(try await store.consent(tenantID: tenant.id, userID: user, clientID: "web"))
        #expect(read.scopes == consent.scopes)
        #expect(read.covers(try ScopeSet(parsing: "orders:read")))
        #expect(!read.covers(try ScopeSet(parsing: "orders:write")))
        #expect(try await store.consent(tenantID: other.id, userID: user, clientID: "web") == nil)
        #expect(try await store.consents(tenantID: tenant.id, userID: user).map(\.clientID) == ["web"])
        #expect(try await store.deleteConsent(tenantID: other.id, userID: user, clientID: "web") == false)
        #expect(try await store.deleteConsent(tenantID: tenant.id, userID: user, clientID: "web"))
        #expect(try await store.consents(tenantID: tenant.id, userID: user).isEmpty)
    }

    @Test(arguments: TestBackend.allCases)
    func codeIsRedeemedOnceThenSeenAsReplayed(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        let (value, code) = Self.code(in: tenant)
        try await store.insertAuthorizationCode(code)
        let hash = SecretHash(of: value)

        guard
            case .redeemed(let first) = try await store.redeemAuthorizationCode(
                tenantID: tenant.id, codeHash: hash, clientID: "web", at: Date())
        else { Issue.record("the first use must redeem"); return }
        #expect(first.scopes == code.scopes && first.nonce == "n-1" && first.audience == code.audience)
        let family = UUID()
        try await store.recordCodeIssue(tenantID: tenant.id, codeHash: hash, familyID: family, jti: "jti-1")

        guard
            case .alreadyUsed(let replayed) = try await store.redeemAuthorizationCode(
                tenantID: tenant.id, codeHash: hash, clientID: "web", at: Date())
        else { Issue.record("the second use must be a replay"); return }
        #expect(replayed.familyID == family && replayed.issuedJTI == "jti-1")
    }

    @Test(arguments: TestBackend.allCases)
    func aCodesDPoPKeyBindingIsKept(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        let (value, plain) = Self.code(in: tenant)
        let code = AuthorizationCode(
            tenantID: plain.tenantID, codeHash: plain.codeHash, clientID: plain.clientID, userID: plain.userID,
            redirectURI: plain.redirectURI, scopes: plain.scopes, audience: plain.audience,
            codeChallenge: plain.codeChallenge, nonce: plain.nonce, authTime: plain.authTime,
            createdAt: plain.createdAt, expiresAt: plain.expiresAt,
            dpopJKT: "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I")
        try await store.insertAuthorizationCode(code)
        guard
            case .redeemed(let read) = try await store.redeemAuthorizationCode(
                tenantID: tenant.id, codeHash: SecretHash(of: value), clientID: "web", at: Date())
        else { Issue.record("the code must redeem"); return }
        #expect(read.dpopJKT == code.dpopJKT)
    }

    @Test(arguments: TestBackend.allCases)
    func aPushedRequestIsTakenOnceByItsClientBeforeItExpires(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        let other = try await Fixtures.insertedTenant(store)
        let now = Date()
        func pushed(_ uri: String, expiresIn: TimeInterval = 60) -> PushedRequest {
            PushedRequest(
                tenantID: tenant.id, handleHash: SecretHash(of: uri), clientID: "web",
                parameters: "response_type=code&client_id=web", expiresAt: now.addingTimeInterval(expiresIn))
        }
        let uri = PushedRequest.generateURI()
        #expect(uri.hasPrefix("urn:ietf:params:oauth:request_uri:") && uri.count >= 34 + 22)
        try await store.insertPushedRequest(pushed(uri))
        let hash = SecretHash(of: uri)
        // Another client or tenant neither gets it nor spends it.
        #expect(
            try await store.takePushedRequest(tenantID: tenant.id, handleHash: hash, clientID: "app", at: now) == nil)
        #expect(
            try await store.takePushedRequest(tenantID: other.id, handleHash: hash, clientID: "web", at: now) == nil)
        let taken = try await store.takePushedRequest(tenantID: tenant.id, handleHash: hash, clientID: "web", at: now)
        #expect(taken?.parameters == "response_type=code&client_id=web")
        #expect(
            try await store.takePushedRequest(tenantID: tenant.id, handleHash: hash, clientID: "web", at: now) == nil)

        // Expired: never taken, and purged.
        let stale = PushedRequest.generateURI()
        try await store.insertPushedRequest(pushed(stale, expiresIn: -1))
        #expect(
            try await store.takePushedRequest(
                tenantID: tenant.id, handleHash: SecretHash(of: stale), clientID: "web", at: now) == nil)
        #expect(try await store.purgeExpired(before: now, batch: 100) >= 1)

        // Concurrent takers: exactly one wins.
        let raced = PushedRequest.generateURI()
        try await store.insertPushedRequest(pushed(raced))
        let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await store.takePushedRequest(
                        tenantID: tenant.id, handleHash: SecretHash(of: raced), clientID: "web", at: now) != nil
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(winners == 1)
    }

    @Test(arguments: TestBackend.allCases)
    func codeOfAnotherClientTenantOrPastExpiryIsInvalid(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        let other = try await Fixtures.insertedTenant(store)
        let (value, code) = Self.code(in: tenant)
        try await store.insertAuthorizationCode(code)
        let hash = SecretHash(of: value)
        let attempts: [(UUID, String, Date)] = [
            (tenant.id, "mallory", Date()), (other.id, "web", Date()),
            (tenant.id, "web", Date().addingTimeInterval(61)),
        ]
        for (tenantID, client, date) in attempts {
            let outcome = try await store.redeemAuthorizationCode(
                tenantID: tenantID, codeHash: hash, clientID: client, at: date)
            guard case .invalid = outcome else { Issue.record("expected invalid for \(client) at \(date)"); return }
        }
        // None of them burned it: the rightful client still redeems.
        guard
            case .redeemed = try await store.redeemAuthorizationCode(
                tenantID: tenant.id, codeHash: hash, clientID: "web", at: Date())
        else { Issue.record("the rightful client must still redeem"); return }
    }

    @Test(arguments: TestBackend.allCases)
    func concurrentRedemptionsHaveExactlyOneWinner(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        let (value, code) = Self.code(in: tenant)
        try await store.insertAuthorizationCode(code)
        let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await store.transaction { operations in
                        if case .redeemed = try await operations.redeemAuthorizationCode(
                            tenantID: tenant.id, codeHash: SecretHash(of: value), clientID: "web", at: Date())
                        {
                            return true
                        }
                        return false
                    }
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(wins == 1)
    }

    @Test(arguments: TestBackend.allCases)
    func refreshTokenRotatesOnceAndReuseIsRecognised(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        let (value, token) = Self.refresh(in: tenant)
        try await store.insertRefreshToken(token)
        let hash = SecretHash(of: value)
        guard
            case .redeemed(let used) = try await store.useRefreshToken(
                tenantID: tenant.id, tokenHash: hash, clientID: "web", at: Date())
        else { Issue.record("the first use must succeed"); return }
        #expect(used.familyID == token.familyID && used.scopes == token.scopes)
        guard
            case .alreadyUsed = try await store.useRefreshToken(
                tenantID: tenant.id, tokenHash: hash, clientID: "web", at: Date())
        else { Issue.record("the second use must be a reuse"); return }
        guard
            case .invalid = try await store.useRefreshToken(
                tenantID: tenant.id, tokenHash: hash, clientID: "mallory", at: Date())
        else { Issue.record("another client's token is invalid"); return }
        let read = try #require(try await store.refreshToken(tenantID: tenant.id, tokenHash: hash))
        #expect(read.usedAt != nil && !read.isActive(at: Date()))
    }

    @Test(arguments: TestBackend.allCases)
    func aTokenThatDoesNotRotateIsTouchedNotUsed(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        let (value, token) = Self.refresh(in: tenant, expiresIn: 3_600)
        try await store.insertRefreshToken(token)
        let hash = SecretHash(of: value)
        let now = Date()
        // The idle end moves, but never past the absolute end.
        let touched = try await store.touchRefreshToken(
            tenantID: tenant.id, tokenHash: hash, clientID: "web", at: now, idleExpiresAt: now.addingTimeInterval(60))
        #expect(touched.map { abs($0.idleExpiresAt.timeIntervalSince(now.addingTimeInterval(60))) < 1 } == true)
        let capped = try await store.touchRefreshToken(
            tenantID: tenant.id, tokenHash: hash, clientID: "web", at: now,
            idleExpiresAt: now.addingTimeInterval(86_400))
        #expect(capped.map { abs($0.idleExpiresAt.timeIntervalSince(token.expiresAt)) < 1 } == true)
        #expect(capped?.usedAt == nil)
        // Another client's, or a revoked one, is not touched.
        #expect(
            try await store.touchRefreshToken(
                tenantID: tenant.id, tokenHash: hash, clientID: "app", at: now, idleExpiresAt: now) == nil)
        try await store.revokeRefreshFamily(tenantID: tenant.id, familyID: token.familyID, at: now)
        #expect(
            try await store.touchRefreshToken(
                tenantID: tenant.id, tokenHash: hash, clientID: "web", at: now, idleExpiresAt: now) == nil)
    }

    @Test(arguments: TestBackend.allCases)
    func revokingAFamilyRevokesTheAccessTokensItIssuedAndNoOthers(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        let family = UUID()
        let other = UUID()
        let now = Date()
        let (_, token) = Self.refresh(in: tenant, family: family)
        let (_, otherToken) = Self.refresh(in: tenant, family: other, clientID: "cli")
        for row in [token, otherToken] { try await store.insertRefreshToken(row) }
        let live = now.addingTimeInterval(600)
        try await store.recordFamilyAccessToken(tenantID: tenant.id, familyID: family, jti: "a-1", expiresAt: live)
        try await store.recordFamilyAccessToken(tenantID: tenant.id, familyID: family, jti: "a-2", expiresAt: live)
        // Already expired: nothing left to refuse, so nothing to remember.
        try await store.recordFamilyAccessToken(
            tenantID: tenant.id, familyID: family, jti: "a-0", expiresAt: now.addingTimeInterval(-1))
        try await store.recordFamilyAccessToken(tenantID: tenant.id, familyID: other, jti: "b-1", expiresAt: live)
        let before = try await store.latestChangeSequence()

        #expect(try await store.revokeRefreshFamily(tenantID: tenant.id, familyID: family, at: now) == 1)
        for jti in ["a-1", "a-2"] {
            #expect(try await store.revokedToken(tenantID: tenant.id, jti: jti) != nil, "\(jti)")
        }
        #expect(try await store.revokedToken(tenantID: tenant.id, jti: "a-0") == nil)
        #expect(try await store.revokedToken(tenantID: tenant.id, jti: "b-1") == nil)
        // Every instance hears of each one through the change feed.
        let changes = try await store.changes(after: before, limit: 10)
        #expect(Set(changes.filter { $0.kind == .revokedToken }.map(\.subject)) == ["a-1", "a-2"])
        // Revoking the other family by user and client reaches its token too.
        #expect(
            try await store.revokeRefreshTokens(
                tenantID: tenant.id, userID: otherToken.userID, clientID: "cli", at: now)
                == 1)
        #expect(try await store.revokedToken(tenantID: tenant.id, jti: "b-1") != nil)
    }

    @Test(arguments: TestBackend.allCases)
    func familyAndConsentRevocationReachEveryTokenOfTheirsOnly(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        let family = UUID()
        let user = UUID()
        let (a, first) = Self.refresh(in: tenant, family: family, user: user)
        let (b, second) = Self.refresh(in: tenant, family: family, user: user)
        let (c, otherFamily) = Self.refresh(in: tenant, user: user, clientID: "cli")
        for token in [first, second, otherFamily] { try await store.insertRefreshToken(token) }

        #expect(try await store.revokeRefreshFamily(tenantID: tenant.id, familyID: family, at: Date()) == 2)
        #expect(try await store.revokeRefreshFamily(tenantID: tenant.id, familyID: family, at: Date()) == 0)
        for value in [a, b] {
            guard
                case .alreadyUsed = try await store.useRefreshToken(
                    tenantID: tenant.id, tokenHash: SecretHash(of: value), clientID: "web", at: Date())
            else {
                // Revoked but never used: refused, and not a reuse.
                continue
            }
            Issue.record("a revoked, unused token is not a reuse")
        }
        #expect(
            try await store.refreshToken(tenantID: tenant.id, tokenHash: SecretHash(of: c))?.isActive(at: Date())
                == true)
        #expect(
            try await store.revokeRefreshTokens(tenantID: tenant.id, userID: user, clientID: "cli", at: Date()) == 1)
        #expect(try await store.refreshToken(tenantID: tenant.id, tokenHash: SecretHash(of: c))?.revokedAt != nil)
    }

    @Test(arguments: TestBackend.allCases)
    func purgeRemovesExpiredCodesAndTokensOnly(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        let (liveCode, live) = Self.code(in: tenant)
        let (_, expired) = Self.code(in: tenant, expiresIn: -10)
        let (liveToken, token) = Self.refresh(in: tenant)
        let (_, expiredToken) = Self.refresh(in: tenant, expiresIn: -10)
        try await store.insertAuthorizationCode(live)
        try await store.insertAuthorizationCode(expired)
        try await store.insertRefreshToken(token)
        try await store.insertRefreshToken(expiredToken)
        let (revokedValue, revoked) = Self.refresh(in: tenant)
        try await store.insertRefreshToken(revoked)
        try await store.revokeRefreshFamily(tenantID: tenant.id, familyID: revoked.familyID, at: Date())
        #expect(try await store.purgeExpired(before: Date().addingTimeInterval(1), batch: 100) == 3)
        #expect(try await store.refreshToken(tenantID: tenant.id, tokenHash: SecretHash(of: liveToken)) != nil)
        #expect(try await store.refreshToken(tenantID: tenant.id, tokenHash: SecretHash(of: revokedValue)) == nil)
        guard
            case .redeemed = try await store.redeemAuthorizationCode(
                tenantID: tenant.id, codeHash: SecretHash(of: liveCode), clientID: "web", at: Date())
        else { Issue.record("the live code must survive the purge"); return }
    }
}

@Suite("Device code store conformance")
struct DeviceCodeStoreConformanceTests {
    static func code(
        in tenant: Tenant, userCode: String = UserCode.generate(), expiresIn: TimeInterval = 600
    )
        -> (String, DeviceCode)
    {
        let value = RandomToken.generate()
        let now = Date()
        return (
            value,
            DeviceCode(
                tenantID: tenant.id, deviceCodeHash: SecretHash(of: value), userCode: userCode, clientID: "tv",
                scopes: ScopeSet(["orders:read"]), audience: [], intervalSeconds: 5, createdAt: now,
                expiresAt: now.addingTimeInterval(expiresIn))
        )
    }

    @Test(arguments: TestBackend.allCases)
    func decidedOnceRedeemedOnce(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        let (value, code) = Self.code(in: tenant)
        try await store.insertDeviceCode(code)
        let hash = SecretHash(of: value)
        #expect(try await store.deviceCode(tenantID: tenant.id, userCode: code.userCode)?.status == .pending)
        #expect(
            try await store.redeemDeviceCode(tenantID: tenant.id, deviceCodeHash: hash, clientID: "tv", at: Date())
                == false)
        let user = UUID()
        #expect(
            try await store.decideDeviceCode(
                tenantID: tenant.id, userCode: code.userCode, status: .approved, userID: user, authTime: Date(),
                at: Date()))
        #expect(
            try await store.decideDeviceCode(
                tenantID: tenant.id, userCode: code.userCode, status: .denied, userID: nil, authTime: nil, at: Date())
                == false)
        try await store.recordDevicePoll(tenantID: tenant.id, deviceCodeHash: hash, at: Date(), intervalSeconds: 10)
        let polled = try #require(try await store.deviceCode(tenantID: tenant.id, deviceCodeHash: hash))
        #expect(polled.status == .approved && polled.userID == user && polled.intervalSeconds == 10)
        #expect(
            try await store.redeemDeviceCode(tenantID: tenant.id, deviceCodeHash: hash, clientID: "other", at: Date())
                == false)
        #expect(try await store.redeemDeviceCode(tenantID: tenant.id, deviceCodeHash: hash, clientID: "tv", at: Date()))
        #expect(
            try await store.redeemDeviceCode(tenantID: tenant.id, deviceCodeHash: hash, clientID: "tv", at: Date())
                == false)
    }

    @Test(arguments: TestBackend.allCases)
    func userCodesAreUniquePerTenantAndExpiredCodesCannotBeDecided(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        let other = try await Fixtures.insertedTenant(store)
        let (_, first) = Self.code(in: tenant, userCode: "BCDF-GHJK")
        try await store.insertDeviceCode(first)
        let (_, clash) = Self.code(in: tenant, userCode: "BCDF-GHJK")
        await #expect(throws: StoreError.self) { try await store.insertDeviceCode(clash) }
        let (_, elsewhere) = Self.code(in: other, userCode: "BCDF-GHJK")
        try await store.insertDeviceCode(elsewhere)
        let (_, expired) = Self.code(in: tenant, userCode: "ZZZZ-ZZZZ", expiresIn: -1)
        try await store.insertDeviceCode(expired)
        #expect(
            try await store.decideDeviceCode(
                tenantID: tenant.id, userCode: "ZZZZ-ZZZZ", status: .approved, userID: UUID(), authTime: Date(),
                at: Date())
                == false)
    }
}

@Suite("Client deletion in the store")
struct ClientDeletionStoreTests {
    @Test(arguments: TestBackend.allCases)
    func aClientsConsentsAndRefreshTokensGoWithIt(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenant = try await Fixtures.insertedTenant(store)
        let user = UUID()
        for client in ["web", "cli"] {
            try await store.saveConsent(
                Consent(
                    tenantID: tenant.id, userID: user, clientID: client, scopes: ScopeSet(["openid"]), createdAt: Date()
                ))
        }
        let (web, webToken) = GrantStoreConformanceTests.refresh(in: tenant, user: user, clientID: "web")
        let (cli, cliToken) = GrantStoreConformanceTests.refresh(in: tenant, user: user, clientID: "cli")
        try await store.insertRefreshToken(webToken)
        try await store.insertRefreshToken(cliToken)
        #expect(try await store.deleteConsents(tenantID: tenant.id, clientID: "web") == 1)
        #expect(try await store.revokeRefreshTokens(tenantID: tenant.id, clientID: "web", at: Date()) == 1)
        #expect(try await store.consents(tenantID: tenant.id, userID: user).map(\.clientID) == ["cli"])
        #expect(try await store.refreshToken(tenantID: tenant.id, tokenHash: SecretHash(of: web))?.revokedAt != nil)
        #expect(try await store.refreshToken(tenantID: tenant.id, tokenHash: SecretHash(of: cli))?.revokedAt == nil)
    }
}

@Suite("Signing keys of several tenants")
struct SigningKeysOfSeveralTenantsTests {
    @Test(arguments: TestBackend.allCases)
    func oneQueryReadsTheKeysOfTheTenantsNamedOnly(backend: TestBackend) async throws {
        let store = try await TestDatabases.freshStore(backend)
        defer { Task { await store.close() } }
        let tenants = [try await Fixtures.insertedTenant(store), try await Fixtures.insertedTenant(store)]
        let other = try await Fixtures.insertedTenant(store)
        for tenant in tenants + [other] {
            try await store.insertSigningKey(Fixtures.key(in: tenant, state: .current))
            try await store.insertSigningKey(Fixtures.key(in: tenant, state: .next))
        }
        let keys = try await store.signingKeys(tenantIDs: tenants.map(\.id))
        #expect(keys.count == 4)
        #expect(Set(keys.map(\.tenantID)) == Set(tenants.map(\.id)))
        #expect(try await store.signingKeys(tenantIDs: []).isEmpty)
    }
}
