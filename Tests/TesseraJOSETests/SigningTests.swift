import Foundation
import TesseraCore
import Testing

@testable import TesseraJOSE

@Suite struct SigningTests {
    @Test(arguments: SigningAlgorithm.allCases)
    func signedAccessTokenVerifiesWithTheSameKeys(algorithm: SigningAlgorithm) async throws {
        let keys = try await Fixture.keys(algorithm)
        let claims = Fixture.claims()
        let token = try keys.sign(claims, type: "at+jwt")
        let verified = try keys.verifyAccessToken(token)
        #expect(verified.sub == claims.sub)
        #expect(verified.scope == "read write")
        #expect(verified.iss == Fixture.issuer)
    }

    @Test(arguments: SigningAlgorithm.allCases)
    func headerCarriesAlgKidAndTypAndNothingElse(algorithm: SigningAlgorithm) async throws {
        let keys = try await Fixture.keys(algorithm)
        let current = try #require(keys.current)
        let token = try keys.sign(Fixture.claims(), type: "at+jwt")
        let header = try TokenParts.object(TokenParts.segments(token)[0])
        #expect(header.count == 3)
        #expect(header["alg"] as? String == algorithm.jwsAlgorithm)
        #expect(header["kid"] as? String == current.kid)
        #expect(header["typ"] as? String == "at+jwt")
    }

    @Test func idTokenCarriesTypJWT() async throws {
        let keys = try await Fixture.keys()
        let token = try keys.sign(Fixture.claims(), type: "JWT")
        #expect(try TokenParts.object(TokenParts.segments(token)[0])["typ"] as? String == "JWT")
        #expect(throws: Never.self) {
            try keys.verify(
                token, as: TestClaims.self, expectedType: "JWT", issuer: Fixture.issuer, now: Fixture.now, leeway: 0)
        }
    }

    @Test func payloadDatesAreWholeSeconds() async throws {
        let keys = try await Fixture.keys()
        let token = try keys.sign(Fixture.claims(), type: "at+jwt")
        let json = try TokenParts.json(TokenParts.segments(token)[1])
        // Fixture.now is 1795793825.6587: truncated, never written with a fraction.
        #expect(json.contains("\"iat\":1795793825,") || json.contains("\"iat\":1795793825}"))
        #expect(json.contains("\"exp\":1795794425"))
        #expect(json.contains("\"nbf\":1795793825"))
        #expect(!json.contains("1795793825.") && !json.contains("1795794425."))
        let object = try TokenParts.object(TokenParts.segments(token)[1])
        for claim in ["exp", "iat", "nbf"] {
            let number = try #require(object[claim] as? NSNumber)
            #expect(number.doubleValue == number.doubleValue.rounded(.towardZero), "\(claim) is \(number)")
        }
    }

    @Test func issuerURLIsWrittenWithLiteralSlashes() async throws {
        let keys = try await Fixture.keys()
        let token = try keys.sign(Fixture.claims(), type: "at+jwt")
        let json = try TokenParts.json(TokenParts.segments(token)[1])
        #expect(json.contains(#""iss":"http://localhost:8080/t/acme""#))
        #expect(!json.contains(#"\/"#))
    }

    @Test func tenantWithoutCurrentKeyCannotSign() async throws {
        let tenant = try Fixture.tenant()
        let onlyNext = tenant.records.filter { $0.state == .next }
        let keys = try await TenantKeys(tenantID: tenant.tenantID, records: onlyNext, masterKey: tenant.masterKey)
        #expect(throws: KeyError.noSigningKey(tenantID: tenant.tenantID)) {
            try keys.sign(Fixture.claims(), type: "at+jwt")
        }
    }

    @Test func tokenOfOneTenantDoesNotVerifyAtAnother() async throws {
        let acme = try await Fixture.keys()
        let globex = try await Fixture.keys()
        let token = try acme.sign(Fixture.claims(), type: "at+jwt")
        #expect(throws: TokenRejection.unknownKey) { try globex.verifyAccessToken(token) }
    }
}
