import Foundation
import TesseraCore
import Testing

@testable import TesseraJOSE

/// The one JWS parser: the rules every kind of JWT obeys before any key is involved.
@Suite struct CompactJWSTests {
    static func token(header: String, payload: String = #"{"sub":"x"}"#, signature: [UInt8] = [1, 2, 3]) -> String {
        Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8)) + "."
            + Base64URL.encode(signature)
    }

    @Test func wellFormedTokenIsTakenApartWithoutReadingThePayload() throws {
        let jws = try CompactJWS(parsing: Self.token(header: #"{"alg":"ES256","kid":"k1","typ":"at+jwt"}"#))
        #expect(jws.algorithm == "ES256")
        #expect(jws.keyID == "k1")
        #expect(jws.hasType("at+jwt") && jws.hasType("AT+JWT") && !jws.hasType("JWT"))
        #expect(jws.signature == [1, 2, 3])
        #expect(try jws.claims().optionalString("sub") == "x")
    }

    @Test(arguments: CompactJWS.refusedHeaderMembers)
    func membersThatChooseTheKeyOrTheRulesAreRefusedEvenAsNull(name: String) {
        #expect(throws: CompactJWS.Failure.refusedHeaderMember(name)) {
            try CompactJWS(parsing: Self.token(header: #"{"alg":"ES256","\#(name)":null}"#))
        }
    }

    /// DPoP (RFC 9449 §4.2) carries its key in `jwk`: a use that needs a member names it.
    @Test func aUseMayAllowTheMemberItNeeds() throws {
        let jws = try CompactJWS(
            parsing: Self.token(header: #"{"alg":"ES256","typ":"dpop+jwt","jwk":{"kty":"EC"}}"#), allowing: ["jwk"])
        #expect(jws.header["jwk"] != nil)
        #expect(throws: CompactJWS.Failure.refusedHeaderMember("jku")) {
            try CompactJWS(parsing: Self.token(header: #"{"alg":"ES256","jku":"https://x"}"#), allowing: ["jwk"])
        }
    }

    @Test(arguments: [#"{"typ":"JWT"}"#, #"{"alg":"none"}"#, #"{"alg":"NONE"}"#, #"{"alg":""}"#])
    func missingOrNoneAlgorithmIsRefused(header: String) {
        #expect(throws: CompactJWS.Failure.unsupportedAlgorithm) {
            try CompactJWS(parsing: Self.token(header: header, signature: []))
        }
    }

    @Test(arguments: [
        #"{"alg":7}"#, #"{"alg":"ES256","kid":["k"]}"#, #"{"alg":"ES256","typ":{}}"#,
        #"{"alg":"ES256","alg":"RS256"}"#, #"["alg"]"#, "",
    ])
    func headerThatIsNotAStrictObjectOfTheRightTypesIsMalformed(header: String) {
        #expect(throws: CompactJWS.Failure.malformed) { try CompactJWS(parsing: Self.token(header: header)) }
    }

    @Test func emptySignatureAndNonCanonicalSegmentsAreMalformed() {
        let header = #"{"alg":"ES256"}"#
        #expect(throws: CompactJWS.Failure.malformed) {
            try CompactJWS(parsing: Self.token(header: header, signature: []))
        }
        let padded = Self.token(header: header) + "="
        #expect(throws: CompactJWS.Failure.malformed) { try CompactJWS(parsing: padded) }
        #expect(throws: CompactJWS.Failure.malformed) {
            try CompactJWS(parsing: Self.token(header: header) + ".extra")
        }
        let overlong = Self.token(header: header, payload: "\"" + String(repeating: "a", count: 20_000) + "\"")
        #expect(throws: CompactJWS.Failure.malformed) { try CompactJWS(parsing: overlong) }
    }

    @Test func payloadThatIsNotAnObjectIsMalformedWhenRead() throws {
        let jws = try CompactJWS(parsing: Self.token(header: #"{"alg":"ES256"}"#, payload: "[1]"))
        #expect(throws: CompactJWS.Failure.malformed) { try jws.claims() }
    }
}

/// RFC 9864: Ed25519 keys sign as `Ed25519` and are published so; `EdDSA` is still accepted on
/// input, for that key type only.
@Suite struct FullySpecifiedAlgorithmTests {
    @Test func ed25519KeysSignWithTheFullySpecifiedNameAndPublishIt() async throws {
        let keys = try await Fixture.keys(.edDSA)
        let token = try keys.sign(Fixture.claims(), type: "at+jwt")
        #expect(try TokenParts.object(TokenParts.segments(token)[0])["alg"] as? String == "Ed25519")
        #expect(keys.jwks.json.contains(#""alg":"Ed25519""#) && !keys.jwks.json.contains("EdDSA"))
        #expect(throws: Never.self) {
            try keys.verify(
                token, as: TestClaims.self, expectedType: "at+jwt", issuer: Fixture.issuer, now: Fixture.now,
                leeway: 0)
        }
    }

    @Test func theDeprecatedPolymorphicNameStillVerifiesAnEd25519Key() async throws {
        let keys = try await Fixture.keys(.edDSA)
        let current = try #require(keys.current)
        let header = #"{"alg":"EdDSA","kid":"\#(current.kid)","typ":"at+jwt"}"#
        let token = try TokenParts.forged(
            header: header, payload: try TokenParts.payloadJSON(Fixture.claims()), signedBy: current)
        #expect(throws: Never.self) {
            try keys.verify(
                token, as: TestClaims.self, expectedType: "at+jwt", issuer: Fixture.issuer, now: Fixture.now,
                leeway: 0)
        }
    }

    @Test func ed25519IsNotAcceptedForAnotherKeyType() async throws {
        let keys = try await Fixture.keys(.es256)
        let current = try #require(keys.current)
        let token = try TokenParts.forged(
            header: #"{"alg":"Ed25519","kid":"\#(current.kid)","typ":"at+jwt"}"#,
            payload: try TokenParts.payloadJSON(Fixture.claims()), signedBy: current)
        #expect(throws: TokenRejection.unsupportedAlgorithm) {
            try keys.verify(
                token, as: TestClaims.self, expectedType: "at+jwt", issuer: Fixture.issuer, now: Fixture.now,
                leeway: 0)
        }
    }

    @Test func operatorsMayNameTheAlgorithmEitherWay() {
        #expect(SigningAlgorithm(name: "Ed25519") == .edDSA)
        #expect(SigningAlgorithm(name: "EdDSA") == .edDSA)
        #expect(SigningAlgorithm(name: "ES256")?.jwsAlgorithm == "ES256")
        #expect(SigningAlgorithm(name: "ed25519") == nil)
    }
}
