import Foundation
import TesseraTestSupport
import Testing

/// Two `tessera serve` processes on one PostgreSQL database, as behind a load balancer.
extension EndToEndTests {
    @Suite("Key rotation across instances", .serialized)
    struct KeyRotationAcrossInstancesTests {
        static let masterKey = "q0XWm4f3lQx1m3w3mB0n6c9D9Zbqk7nV9w2JmF0e6lA"
        /// The load balancer's address both instances sit behind.
        static let publicURL = "https://auth.example.com"

        @Test func aRotationIsUsedByEveryInstanceWithinASecondAndTokensVerifyAtBoth() async throws {
            let directory = try makeTemporaryDirectory()
            // Polling is slowed to 30 s, so only LISTEN/NOTIFY can deliver the rotation in time.
            let environment = [
                "TESSERA_DATABASE_URL": try await TestDatabases.freshURL(.postgres),
                "TESSERA_MASTER_KEY": Self.masterKey,
                "TESSERA_CHANGE_POLL_INTERVAL": "30",
            ]
            let fixture = try TenantFixture.make("acme", in: directory, environment: environment)
            let a = try await TesseraServerProcess.start(
                in: directory, environment: environment, publicURL: Self.publicURL)
            let b = try await TesseraServerProcess.start(
                in: directory, environment: environment, publicURL: Self.publicURL)
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
                #expect(
                    Date().timeIntervalSince(rotatedAt) < 1.0, "instance took \(Date().timeIntervalSince(rotatedAt)) s")
            }

            // A token of either instance, old key or new, verifies with either instance's JWKS.
            let jwks = [a, b].map { "\($0.baseURL)/t/acme/jwks.json" }
            for token in [before, try await fixture.token(from: a), try await fixture.token(from: b)] {
                let verified = try Interop.python("verify_token.py", [Self.publicURL + "/t/acme", token] + jwks)
                #expect(verified.status == 0, "\(verified.stderr)")
            }
        }
    }

    /// Revocation and introspection seen from another instance (RFC 7009, RFC 7662).
    @Suite("Revocation across instances", .serialized)
    struct RevocationAcrossInstancesTests {
        struct Pair {
            let directory: URL
            let environment: [String: String]
            let fixture: TenantFixture
            let a: TesseraServerProcess
            let b: TesseraServerProcess
        }

        func pair() async throws -> Pair {
            let directory = try makeTemporaryDirectory()
            let environment = [
                "TESSERA_DATABASE_URL": try await TestDatabases.freshURL(.postgres),
                "TESSERA_MASTER_KEY": EndToEndTests.KeyRotationAcrossInstancesTests.masterKey,
                "TESSERA_CHANGE_POLL_INTERVAL": "30",
            ]
            let fixture = try TenantFixture.make("acme", in: directory, environment: environment)
            return Pair(
                directory: directory, environment: environment, fixture: fixture,
                a: try await TesseraServerProcess.start(
                    in: directory, environment: environment,
                    publicURL: EndToEndTests.KeyRotationAcrossInstancesTests.publicURL),
                b: try await TesseraServerProcess.start(
                    in: directory, environment: environment,
                    publicURL: EndToEndTests.KeyRotationAcrossInstancesTests.publicURL))
        }

        /// Polls `condition` for up to a second.
        func withinASecond(_ condition: () async throws -> Bool) async throws -> Bool {
            let start = Date()
            while Date().timeIntervalSince(start) < 1.0 {
                if try await condition() { return true }
                try await Task.sleep(for: .milliseconds(20))
            }
            return false
        }

        @Test func aTokenRevokedAtOneInstanceIsInactiveAtTheOtherWithinASecond() async throws {
            let p = try await pair()
            defer {
                Task {
                    await p.a.stop(); await p.b.stop()
                }
            }
            let token = try await p.fixture.token(from: p.a)
            #expect(try await p.fixture.isActive(token, at: p.b))
            let revoked = try await p.fixture.post("/revoke", ["token": token], to: p.a)
            #expect(revoked.status == 200)
            #expect(try await p.fixture.isActive(token, at: p.a) == false)
            #expect(try await withinASecond { try await p.fixture.isActive(token, at: p.b) == false })
            // Another token of the same client stays active.
            #expect(try await p.fixture.isActive(try await p.fixture.token(from: p.a), at: p.b))
        }

        @Test func tokensSignedByARevokedKeyAreInactiveEverywhere() async throws {
            let p = try await pair()
            defer {
                Task {
                    await p.a.stop(); await p.b.stop()
                }
            }
            let token = try await p.fixture.token(from: p.a)
            let kid = try #require(jwtHeader(token)["kid"] as? String)
            #expect(try await p.fixture.isActive(token, at: p.b))
            let result = try TesseraBinary.run(
                ["keys", "revoke", "--tenant", "acme", "--kid", kid], in: p.directory, environment: p.environment)
            #expect(result.status == 0, "\(result.stderr)")
            for server in [p.a, p.b] {
                #expect(try await withinASecond { try await p.fixture.isActive(token, at: server) == false })
                // The tenant still signs, with its next key promoted.
                let fresh = try await p.fixture.token(from: server)
                #expect(jwtHeader(fresh)["kid"] as? String != kid)
                #expect(try await p.fixture.isActive(fresh, at: server))
            }
        }

        @Test func aTokenOfOneTenantIsInactiveAtAnother() async throws {
            let p = try await pair()
            defer {
                Task {
                    await p.a.stop(); await p.b.stop()
                }
            }
            let beta = try TenantFixture.make("beta", in: p.directory, environment: p.environment)
            let acmeToken = try await p.fixture.token(from: p.a)
            let reply = try await beta.post("/introspect", ["token": acmeToken], to: p.a)
            #expect(reply.status == 200)
            #expect(try reply.json()["active"] as? Bool == false)
            #expect(try reply.json().count == 1)
            // acme's client cannot introspect at beta at all: it is not beta's client.
            let foreign = try await p.fixture.post("/introspect", ["token": acmeToken], to: p.a, tenant: "beta")
            #expect(foreign.status == 401)
        }
    }

    /// An independent JWT library verifies our tokens with our published JWKS, for every
    /// algorithm a tenant can sign with; an independent OAuth client obtains them.
    @Suite("Interoperability", .serialized)
    struct InteroperabilityTests {
        /// Ed25519 keys sign with RFC 9864's fully specified `alg` (the tenant setting keeps the
        /// name `EdDSA`).
        @Test(arguments: [("ES256", "ES256"), ("EdDSA", "Ed25519"), ("RS256", "RS256")])
        func joserfcVerifiesTokensWithThePublishedJWKS(setting: String, algorithm: String) async throws {
            let directory = try makeTemporaryDirectory()
            let fixture = try TenantFixture.make("acme", in: directory, environment: [:], algorithm: setting)
            let server = try await TesseraServerProcess.start(in: directory)
            defer { Task { await server.stop() } }
            let token = try await fixture.token(from: server)
            #expect(jwtHeader(token)["alg"] as? String == algorithm)
            let jwks = try await HTTP.request("GET", "\(server.baseURL)/t/acme/jwks.json").json()
            let signing = (jwks["keys"] as? [[String: Any]] ?? []).first {
                $0["kid"] as? String == jwtHeader(token)["kid"] as? String
            }
            #expect(signing?["alg"] as? String == algorithm, "\(jwks)")
            let verified = try Interop.python(
                "verify_token.py", ["\(server.baseURL)/t/acme", token, "\(server.baseURL)/t/acme/jwks.json"])
            #expect(verified.status == 0, "\(verified.stderr)")
            #expect(verified.json()["alg"] as? String == algorithm)
        }

        @Test func authlibObtainsAClientCredentialsTokenThatJoserfcVerifies() async throws {
            let directory = try makeTemporaryDirectory()
            let fixture = try TenantFixture.make("acme", in: directory, environment: [:])
            let server = try await TesseraServerProcess.start(in: directory)
            defer { Task { await server.stop() } }
            let result = try Interop.python(
                "client_credentials.py", ["\(server.baseURL)/t/acme", fixture.clientID, fixture.clientSecret])
            #expect(result.status == 0, "\(result.stderr)")
            let claims = result.json()["claims"] as? [String: Any] ?? [:]
            #expect(claims["sub"] as? String == fixture.clientID)
            #expect(claims["client_id"] as? String == fixture.clientID)
            #expect(claims["aud"] as? String == "https://api.example.com")
            #expect(claims["scope"] as? String == "orders:read")
            #expect((result.json()["header"] as? [String: Any])?["typ"] as? String == "at+jwt")
        }

        /// RFC 9449 with an independent client: joserfc's key and proofs, its own thumbprint.
        @Test func joserfcGetsADPoPBoundTokenAndItsReplayedProofIsRefused() async throws {
            let directory = try makeTemporaryDirectory()
            let fixture = try TenantFixture.make("acme", in: directory, environment: [:])
            let server = try await TesseraServerProcess.start(in: directory)
            defer { Task { await server.stop() } }
            let result = try Interop.python(
                "dpop_client_credentials.py", ["\(server.baseURL)/t/acme", fixture.clientID, fixture.clientSecret])
            #expect(result.status == 0, "\(result.stderr)")
            let output = result.json()
            #expect(output["status"] as? Int == 200, "\(output)")
            #expect(output["token_type"] as? String == "DPoP")
            let thumbprint = output["thumbprint"] as? String
            #expect(thumbprint != nil)
            #expect((output["cnf"] as? [String: Any])?["jkt"] as? String == thumbprint)
            #expect((output["introspection_cnf"] as? [String: Any])?["jkt"] as? String == thumbprint)
            #expect(output["replay"] as? [AnyHashable] == [400, "invalid_dpop_proof"])
            #expect(output["elsewhere"] as? [AnyHashable] == [400, "invalid_dpop_proof"])
        }

        @Test func authlibAuthenticatesWithPrivateKeyJWTAndAReplayedAssertionIsRefused() async throws {
            let directory = try makeTemporaryDirectory()
            let keyFile = directory.appendingPathComponent("key.json").path
            let jwksFile = directory.appendingPathComponent("jwks.json").path
            let keys = try Interop.python("private_key_jwt.py", ["keygen", keyFile, jwksFile])
            #expect(keys.status == 0, "\(keys.stderr)")
            func cli(_ arguments: [String]) throws -> TesseraBinary.Result {
                let result = try TesseraBinary.run(arguments, in: directory)
                guard result.status == 0 else { throw TestSetupError("\(arguments): \(result.stderr)") }
                return result
            }
            _ = try cli(["tenant", "create", "acme"])
            _ = try cli(["scope", "create", "--tenant", "acme", "orders:read"])
            let created = try cli([
                "client", "create", "--tenant", "acme", "--name", "Signed service", "--auth-method", "private_key_jwt",
                "--jwks-file", jwksFile, "--scope", "orders:read", "--json",
            ])
            let client = try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any] ?? [:]
            let clientID = try #require(client["client_id"] as? String)
            #expect(client["client_secret"] == nil)
            let server = try await TesseraServerProcess.start(in: directory)
            defer { Task { await server.stop() } }
            let result = try Interop.python(
                "private_key_jwt.py", ["token", "\(server.baseURL)/t/acme", clientID, keyFile])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.json()["token_type"] as? String == "Bearer")
            #expect(result.json()["first_use"] as? Int == 200)
            #expect(result.json()["replay"] as? Int == 401)
            #expect(result.json()["replay_error"] as? String == "invalid_client")
        }
    }
}
