import Foundation
import TesseraTestSupport
import Testing

/// Two `tessera serve` processes on one PostgreSQL database, as behind a load balancer.
@Suite("Key rotation across instances", .serialized)
struct KeyRotationAcrossInstancesTests {
    static let masterKey = "q0XWm4f3lQx1m3w3mB0n6c9D9Zbqk7nV9w2JmF0e6lA"

    @Test func aRotationIsUsedByEveryInstanceWithinASecondAndTokensVerifyAtBoth() async throws {
        let directory = try makeTemporaryDirectory()
        // Polling is slowed to 30 s, so only LISTEN/NOTIFY can deliver the rotation in time.
        let environment = [
            "TESSERA_DATABASE_URL": try await TestDatabases.freshURL(.postgres), "TESSERA_MASTER_KEY": Self.masterKey,
            "TESSERA_CHANGE_POLL_INTERVAL": "30",
        ]
        let fixture = try TenantFixture.make("acme", in: directory, environment: environment)
        let a = try await TesseraServerProcess.start(in: directory, environment: environment)
        let b = try await TesseraServerProcess.start(in: directory, environment: environment)
        defer {
            Task {
                await a.stop()
                await b.stop()
            }
        }
        let before = try await fixture.token(from: a)
        let oldKid = try #require(jwtHeader(before)["kid"] as? String)
        #expect(jwtHeader(try await fixture.token(from: b))["kid"] as? String == oldKid)

        let rotated = try TesseraBinary.run(
            ["keys", "rotate", "--tenant", "acme", "--json"], in: directory, environment: environment)
        #expect(rotated.status == 0, "\(rotated.stderr)")
        let rotatedAt = Date()
        let keys = try JSONSerialization.jsonObject(with: Data(rotated.stdout.utf8)) as? [[String: Any]] ?? []
        let newKid = try #require(keys.first { $0["state"] as? String == "current" }?["kid"] as? String)
        #expect(newKid != oldKid)

        for server in [a, b] {
            var kid = oldKid
            while kid != newKid, Date().timeIntervalSince(rotatedAt) < 3 {
                kid = jwtHeader(try await fixture.token(from: server))["kid"] as? String ?? ""
            }
            #expect(kid == newKid)
            #expect(Date().timeIntervalSince(rotatedAt) < 1.0, "instance took \(Date().timeIntervalSince(rotatedAt)) s")
        }

        // A token of either instance, old key or new, verifies with either instance's JWKS.
        let bases = [a, b].map { "\($0.baseURL)/t/acme" }
        for (token, issuer) in [(before, bases[0]), (try await fixture.token(from: a), bases[0]), (try await fixture.token(from: b), bases[1])] {
            let verified = try Interop.python("verify_token.py", [issuer, token] + bases)
            #expect(verified.status == 0, "\(verified.errors)")
        }
    }
}

/// An independent JWT library verifies our tokens with our published JWKS, for every
/// algorithm a tenant can sign with; an independent OAuth client obtains them.
@Suite("Interoperability", .serialized)
struct InteroperabilityTests {
    @Test(arguments: ["ES256", "EdDSA", "RS256"])
    func joserfcVerifiesTokensWithThePublishedJWKS(algorithm: String) async throws {
        let directory = try makeTemporaryDirectory()
        let fixture = try TenantFixture.make("acme", in: directory, environment: [:], algorithm: algorithm)
        let server = try await TesseraServerProcess.start(in: directory)
        defer { Task { await server.stop() } }
        let token = try await fixture.token(from: server)
        #expect(jwtHeader(token)["alg"] as? String == algorithm)
        let verified = try Interop.python(
            "verify_token.py", ["\(server.baseURL)/t/acme", token, "\(server.baseURL)/t/acme"])
        #expect(verified.status == 0, "\(verified.errors)")
        #expect(verified.json()["alg"] as? String == algorithm)
    }

    @Test func authlibObtainsAClientCredentialsTokenThatJoserfcVerifies() async throws {
        let directory = try makeTemporaryDirectory()
        let fixture = try TenantFixture.make("acme", in: directory, environment: [:])
        let server = try await TesseraServerProcess.start(in: directory)
        defer { Task { await server.stop() } }
        let result = try Interop.python(
            "client_credentials.py", ["\(server.baseURL)/t/acme", fixture.clientID, fixture.clientSecret])
        #expect(result.status == 0, "\(result.errors)")
        let claims = result.json()["claims"] as? [String: Any] ?? [:]
        #expect(claims["sub"] as? String == fixture.clientID)
        #expect(claims["client_id"] as? String == fixture.clientID)
        #expect(claims["aud"] as? String == "https://api.example.com")
        #expect(claims["scope"] as? String == "orders:read")
        #expect((result.json()["header"] as? [String: Any])?["typ"] as? String == "at+jwt")
    }
}
