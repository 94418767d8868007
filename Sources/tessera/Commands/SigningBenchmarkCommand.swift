import ArgumentParser
import Foundation
import TesseraCore
import TesseraJOSE
import TesseraOAuth

/// The ceiling the token endpoint is measured against: how many access tokens one core signs
/// and verifies per second with the very code the server uses (TesseraJOSE on jwt-kit),
/// measured on this machine. Touches no database.
struct SigningBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark",
        abstract: "Measure access-token signing and verifying on one core (the benchmark's ceiling).")

    @Option(help: "ES256, EdDSA or RS256.") var alg: String = "ES256"
    @Option(help: "Seconds to measure each of signing and verifying.") var seconds: Double = 3
    @Flag(help: "Print one JSON document.") var json = false

    func run() async throws {
        guard let algorithm = SigningAlgorithm(name: alg), algorithm.isPublishable else {
            CommandOutput.fail(TesseraCore.ValidationError(field: "alg", "'\(alg)' is not one of ES256, EdDSA, RS256"))
        }
        let masterKey = MasterKey.generate()
        let tenantID = UUID()
        let records = try KeyLifecycle.initialKeys(
            tenantID: tenantID, algorithm: algorithm, now: Date(), masterKey: masterKey
        ).map(\.record)
        let keys = try await TenantKeys(tenantID: tenantID, records: records, masterKey: masterKey)
        let issuer = "http://127.0.0.1:8080/t/bench"
        func claims() -> AccessTokenClaims {
            let now = Int(Date().timeIntervalSince1970)
            return AccessTokenClaims(
                iss: issuer, sub: "bench-client", aud: .one("https://api.example.com"), exp: now + 600, iat: now,
                nbf: now, jti: RandomToken.generate(bytes: 16), clientID: "bench-client", scope: "orders:read")
        }
        let clock = ContinuousClock()
        let budget = Duration.milliseconds(Int(seconds * 1_000))

        var tokens: [String] = []
        var signed = 0
        let signStart = clock.now
        while clock.now - signStart < budget {
            for _ in 0..<100 {
                let token = try keys.sign(claims(), type: "at+jwt")
                if tokens.count < 10_000 { tokens.append(token) }
                signed += 1
            }
        }
        let signRate = Double(signed) / (clock.now - signStart).inSeconds

        var verified = 0
        let verifyStart = clock.now
        while clock.now - verifyStart < budget {
            for index in 0..<100 {
                _ = try keys.verify(
                    tokens[(verified + index) % tokens.count], as: AccessTokenClaims.self, expectedType: "at+jwt",
                    issuer: issuer, now: Date(), leeway: 0)
            }
            verified += 100
        }
        let verifyRate = Double(verified) / (clock.now - verifyStart).inSeconds

        if json {
            CommandOutput.json([
                "alg": algorithm.rawValue, "signs_per_second": String(Int(signRate)),
                "verifies_per_second": String(Int(verifyRate)),
            ])
        } else {
            print("\(algorithm.rawValue) on one core: \(Int(signRate)) tokens signed/s, \(Int(verifyRate)) verified/s")
        }
    }
}
