import Foundation
import TesseraCore
import Testing

@testable import TesseraJOSE

/// Key lines in memory (docs/id-token-signing.md): each line holds one `current` and one `next`
/// key, the main line signs access tokens, an ID-token line signs for its algorithm, and every
/// line's keys verify and are published.
@Suite struct KeyLineTests {
    let master = MasterKey.generate()
    let tenantID = UUID()
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    func line(_ algorithm: SigningAlgorithm, _ line: KeyLine) throws -> [SigningKeyRecord] {
        try KeyLifecycle.initialKeys(tenantID: tenantID, algorithm: algorithm, now: now, masterKey: master, line: line)
            .map(\.record)
    }

    @Test func theMainLineSignsByDefaultAndAnIDTokenLineForItsAlgorithm() async throws {
        let main = try line(.es256, .main)
        let rsa = try line(.rs256, .idToken(.rs256))
        let keys = try await TenantKeys(tenantID: tenantID, records: main + rsa, masterKey: master)
        let mainCurrent = try #require(main.first { $0.state == .current })
        let rsaCurrent = try #require(rsa.first { $0.state == .current })
        #expect(keys.current?.kid == mainCurrent.kid)
        #expect(try keys.idTokenSigner(for: nil).kid == mainCurrent.kid)
        #expect(try keys.idTokenSigner(for: .rs256).kid == rsaCurrent.kid)
        #expect(try keys.idTokenSigner(for: .rs256).algorithm == .rs256)
        #expect(throws: KeyError.noSigningKey(tenantID: tenantID)) { _ = try keys.idTokenSigner(for: .edDSA) }
        #expect(keys.verifyingKids == [mainCurrent.kid, rsaCurrent.kid])
        // Published with their own kids, the main line's key of each state first.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(keys.jwks.json.utf8)) as? [String: Any])
        let published = try #require(object["keys"] as? [[String: Any]])
        #expect(published.count == 4)
        #expect(published.first?["kid"] as? String == mainCurrent.kid)
        #expect(published.first { $0["kid"] as? String == rsaCurrent.kid }?["kty"] as? String == "RSA")
        // What the ID-token line signs verifies with the tenant's keys, as an ID token.
        let token = try keys.idTokenSigner(for: .rs256).sign(
            TestClaims(iss: "https://issuer", sub: "u", exp: now + 60), type: "JWT")
        let claims = try keys.verify(
            token, as: TestClaims.self, expectedType: "JWT", issuer: "https://issuer", now: now, leeway: 0)
        #expect(claims.sub == "u")
    }

    @Test func twoCurrentKeysInOneLineAreRefusedButOnePerLineIsNot() async throws {
        let rsa = try line(.rs256, .idToken(.rs256))
        var second = try #require(try line(.rs256, .idToken(.rs256)).first { $0.state == .current })
        second.state = .current
        await #expect(throws: KeyError.self) {
            _ = try await TenantKeys(tenantID: tenantID, records: rsa + [second], masterKey: master)
        }
        _ = try await TenantKeys(
            tenantID: tenantID, records: try line(.es256, .main) + rsa + line(.edDSA, .idToken(.edDSA)),
            masterKey: master)
    }

    @Test func theScheduleRotatesEveryLineInItsOwnAlgorithmAndLeavesOneCurrentPerLine() throws {
        let records = try line(.es256, .main) + line(.rs256, .idToken(.rs256))
        let policy = RotationPolicy(rotationPeriod: 600, publishAhead: 30, longestTokenLifetime: 120)
        let plan = try KeyLifecycle.scheduled(
            records: records, tenantID: tenantID, algorithm: .edDSA, now: now + 700, policy: policy, masterKey: master)
        var after = records
        for transition in plan {
            after = KeyLifecycle.apply([transition], to: after)
            for line in [KeyLine.main, .idToken(.rs256)] {
                #expect(after.filter { $0.line == line && $0.state == .current }.count <= 1)
                #expect(after.filter { $0.line == line && $0.state == .next }.count <= 1)
            }
        }
        let inserted = plan.compactMap { if case .insert(let record) = $0 { record } else { nil } }
        // The main line's new next key is of key_algorithm; the RS256 line's stays RS256.
        #expect(inserted.first { $0.line == .main }?.algorithm == .edDSA)
        #expect(inserted.first { $0.line == .idToken(.rs256) }?.algorithm == .rs256)
        #expect(after.filter { $0.state == .previous }.map(\.line).count == 2)
    }
}
