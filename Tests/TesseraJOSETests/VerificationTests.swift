import Crypto
import Foundation
import TesseraCore
import Testing

@testable import TesseraJOSE

/// Every way a token may try to choose its own key, algorithm or rules, and every claim rule.
/// The forged tokens are properly signed by the tenant's real key unless the test says
/// otherwise, so the rule under test is the only reason they can fail.
@Suite struct VerificationTests {
    let keys: TenantKeys
    let current: LoadedKey
    let payload: String

    init() async throws {
        keys = try await Fixture.keys(.es256)
        current = try #require(keys.current)
        payload = try TokenParts.payloadJSON(Fixture.claims())
    }

    func header(_ members: String = "") -> String {
        #"{"alg":"ES256","kid":"\#(current.kid)","typ":"at+jwt"\#(members.isEmpty ? "" : "," + members)}"#
    }

    @Test func wellSignedForgeryWithAnOrdinaryHeaderIsAccepted() throws {
        // The control for every forgery below: the forging itself does not break tokens.
        let token = try TokenParts.forged(header: header(), payload: payload, signedBy: current)
        #expect(try keys.verifyAccessToken(token).sub == "user-1")
    }

    @Test(arguments: ["", "a.b", "a.b.c.d", "...", "not a token", "!!!.e30.AAAA"])
    func tokenThatIsNotThreeBase64URLPartsIsMalformed(token: String) {
        #expect(throws: TokenRejection.malformed) { try keys.verifyAccessToken(token) }
    }

    @Test func headerThatIsNotAJSONObjectIsMalformed() throws {
        let token = try TokenParts.forged(header: #"["ES256"]"#, payload: payload, signedBy: current)
        #expect(throws: TokenRejection.malformed) { try keys.verifyAccessToken(token) }
    }

    @Test func overlongTokenIsRefusedUnread() throws {
        let token = try keys.sign(Fixture.claims(), type: "at+jwt")
        let padded = token + String(repeating: "A", count: CompactJWS.maximumLength)
        #expect(throws: TokenRejection.malformed) { try keys.verifyAccessToken(padded) }
    }

    @Test func algNoneWithEmptySignatureIsRefused() throws {
        let noneHeader = #"{"alg":"none","kid":"\#(current.kid)","typ":"at+jwt"}"#
        let token =
            Base64URL.encode(Array(noneHeader.utf8)) + "." + Base64URL.encode(Array(payload.utf8)) + "."
        #expect(throws: TokenRejection.unsupportedAlgorithm) { try keys.verifyAccessToken(token) }
    }

    @Test(arguments: ["none", "None", "NONE"])
    func algNoneInAnySpellingIsRefusedEvenWhenSigned(alg: String) throws {
        let token = try TokenParts.forged(
            header: #"{"alg":"\#(alg)","kid":"\#(current.kid)","typ":"at+jwt"}"#, payload: payload, signedBy: current)
        #expect(throws: TokenRejection.unsupportedAlgorithm) { try keys.verifyAccessToken(token) }
    }

    @Test func missingAlgIsRefused() throws {
        let token = try TokenParts.forged(
            header: #"{"kid":"\#(current.kid)","typ":"at+jwt"}"#, payload: payload, signedBy: current)
        #expect(throws: TokenRejection.unsupportedAlgorithm) { try keys.verifyAccessToken(token) }
    }

    @Test(arguments: ["EdDSA", "RS256", "ES384", "es256"])
    func algOtherThanTheKeysIsRefused(alg: String) throws {
        let token = try TokenParts.forged(
            header: #"{"alg":"\#(alg)","kid":"\#(current.kid)","typ":"at+jwt"}"#, payload: payload, signedBy: current)
        #expect(throws: TokenRejection.unsupportedAlgorithm) { try keys.verifyAccessToken(token) }
    }

    /// The classic algorithm confusion: HS256 keyed with the published public key, naming the
    /// ES256 key's kid. Forged with a real HMAC over the exact JWK bytes anyone can download.
    @Test func algSwappedToHS256SignedWithThePublicKeyIsRefused() async throws {
        let tenant = try Fixture.tenant(.es256)
        let keys = try await TenantKeys(tenantID: tenant.tenantID, records: tenant.records, masterKey: tenant.masterKey)
        let esRecord = try SigningKeyRecord.inState(.current, of: tenant.records)
        let hmacWithPublicKey = SigningKeyRecord(
            tenantID: tenant.tenantID, kid: esRecord.kid, algorithm: .hs256, state: .current, publicJWK: "{}",
            sealedPrivateKey: try tenant.masterKey.seal(
                Array(esRecord.publicJWK.utf8), tenantID: tenant.tenantID, kid: esRecord.kid),
            createdAt: Fixture.now)
        let attacker = try await LoadedKey(record: hmacWithPublicKey, masterKey: tenant.masterKey)
        let token = try attacker.sign(Fixture.claims(), type: "at+jwt")
        #expect(try TokenParts.object(TokenParts.segments(token)[0])["alg"] as? String == "HS256")
        #expect(throws: TokenRejection.unsupportedAlgorithm) { try keys.verifyAccessToken(token) }
    }

    @Test func unknownKidIsRejectedNotDefaulted() throws {
        // Signed by the current key itself: jwt-kit's collection would fall back to it.
        let token = try TokenParts.forged(
            header: #"{"alg":"ES256","kid":"made-up","typ":"at+jwt"}"#, payload: payload, signedBy: current)
        #expect(throws: TokenRejection.unknownKey) { try keys.verifyAccessToken(token) }
    }

    @Test func missingKidIsRejectedNotDefaulted() throws {
        let token = try TokenParts.forged(
            header: #"{"alg":"ES256","typ":"at+jwt"}"#, payload: payload, signedBy: current)
        #expect(throws: TokenRejection.unknownKey) { try keys.verifyAccessToken(token) }
    }

    /// RFC 7515 §4.1.4: `kid` is a string; any other type makes the header malformed, for every
    /// kind of JWT alike (the one parser, `CompactJWS`).
    @Test func kidThatIsNotAStringIsMalformed() throws {
        let token = try TokenParts.forged(
            header: #"{"alg":"ES256","kid":["\#(current.kid)"],"typ":"at+jwt"}"#, payload: payload, signedBy: current)
        #expect(throws: TokenRejection.malformed) { try keys.verifyAccessToken(token) }
    }

    @Test func typThatIsNotAStringIsMalformed() throws {
        let token = try TokenParts.forged(
            header: #"{"alg":"ES256","kid":"\#(current.kid)","typ":7}"#, payload: payload, signedBy: current)
        #expect(throws: TokenRejection.malformed) { try keys.verifyAccessToken(token) }
    }

    @Test(arguments: [
        ("jku", #""https://attacker.example/jwks.json""#),
        ("x5u", #""https://attacker.example/cert.pem""#),
        ("x5c", #"["MIIBszCCAVmgAwIBAgIU"]"#),
        ("jwk", #"{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}"#),
        ("crit", #"["exp"]"#),
        ("jku", "null"),
    ])
    func headerThatPointsAtItsOwnKeyOrRulesIsRefused(name: String, value: String) throws {
        let token = try TokenParts.forged(header: header(#""\#(name)":\#(value)"#), payload: payload, signedBy: current)
        #expect(throws: TokenRejection.forbiddenHeader(name)) { try keys.verifyAccessToken(token) }
    }

    @Test(arguments: ["JWT", "jwt", "application/jwt", "at+jwt2", "", "logout+jwt"])
    func wrongTypIsRefused(typ: String) throws {
        let token = try TokenParts.forged(
            header: #"{"alg":"ES256","kid":"\#(current.kid)","typ":"\#(typ)"}"#, payload: payload, signedBy: current)
        #expect(throws: TokenRejection.wrongType) { try keys.verifyAccessToken(token) }
    }

    @Test func missingTypIsRefused() throws {
        let token = try TokenParts.forged(
            header: #"{"alg":"ES256","kid":"\#(current.kid)"}"#, payload: payload, signedBy: current)
        #expect(throws: TokenRejection.wrongType) { try keys.verifyAccessToken(token) }
    }

    @Test(arguments: ["at+jwt", "AT+JWT", "application/at+jwt", "Application/AT+JWT"])
    func typMatchesCaseInsensitivelyWithOrWithoutApplicationPrefix(typ: String) throws {
        let token = try TokenParts.forged(
            header: #"{"alg":"ES256","kid":"\#(current.kid)","typ":"\#(typ)"}"#, payload: payload, signedBy: current)
        #expect(try keys.verifyAccessToken(token).sub == "user-1")
    }

    /// JWS ES256 signatures are R || S (RFC 7518 §3.4); the same signature in DER, or cut
    /// short, is not accepted.
    @Test func es256SignatureInAnyOtherFormIsRefused() throws {
        let token = try keys.sign(Fixture.claims(), type: "at+jwt")
        var parts = TokenParts.segments(token)
        let input = Array((parts[0] + "." + parts[1]).utf8)
        let signing = try #require(current.p256?.signing)
        let der = try signing.signature(for: SHA256.hash(data: input)).derRepresentation
        parts[2] = Base64URL.encode(Array(der))
        #expect(throws: TokenRejection.badSignature) { try keys.verifyAccessToken(parts.joined(separator: ".")) }
        let raw = try #require(Base64URL.decode(TokenParts.segments(token)[2]))
        parts[2] = Base64URL.encode(Array(raw.dropLast()))
        #expect(throws: TokenRejection.badSignature) { try keys.verifyAccessToken(parts.joined(separator: ".")) }
    }

    @Test func tamperedPayloadFailsTheSignature() throws {
        let token = try keys.sign(Fixture.claims(), type: "at+jwt")
        var parts = TokenParts.segments(token)
        let elevated = try TokenParts.json(parts[1]).replacingOccurrences(of: "read write", with: "admin")
        parts[1] = Base64URL.encode(Array(elevated.utf8))
        #expect(throws: TokenRejection.badSignature) { try keys.verifyAccessToken(parts.joined(separator: ".")) }
    }

    @Test func tamperedSignatureFails() throws {
        let token = try keys.sign(Fixture.claims(), type: "at+jwt")
        var parts = TokenParts.segments(token)
        var signature = try #require(Base64URL.decode(parts[2]))
        signature[10] ^= 0x01
        parts[2] = Base64URL.encode(signature)
        #expect(throws: TokenRejection.badSignature) { try keys.verifyAccessToken(parts.joined(separator: ".")) }
    }

    @Test func signatureOfAnotherKeyFails() async throws {
        let other = try await Fixture.keys(.es256)
        let foreign = try #require(other.current)
        // A header naming our kid, signed by a stranger's key.
        let token = try TokenParts.forged(header: header(), payload: payload, signedBy: foreign)
        #expect(throws: TokenRejection.badSignature) { try keys.verifyAccessToken(token) }
    }

    @Test func wrongIssuerIsRefused() throws {
        let token = try keys.sign(Fixture.claims(issuer: "http://localhost:8080/t/globex"), type: "at+jwt")
        #expect(throws: TokenRejection.wrongIssuer) { try keys.verifyAccessToken(token) }
    }

    @Test func issuerWithATrailingSlashIsAnotherIssuer() throws {
        let token = try keys.sign(Fixture.claims(issuer: Fixture.issuer + "/"), type: "at+jwt")
        #expect(throws: TokenRejection.wrongIssuer) { try keys.verifyAccessToken(token) }
    }

    @Test func tokenWithoutExpIsRefused() throws {
        var claims = Fixture.claims()
        claims.exp = nil
        let token = try keys.sign(claims, type: "at+jwt")
        #expect(throws: TokenRejection.missingClaim("exp")) { try keys.verifyAccessToken(token) }
    }

    @Test func expAsAStringIsMalformed() throws {
        let forgedPayload = #"{"iss":"\#(Fixture.issuer)","sub":"user-1","exp":"9999999999"}"#
        let token = try TokenParts.forged(header: header(), payload: forgedPayload, signedBy: current)
        #expect(throws: TokenRejection.malformed) { try keys.verifyAccessToken(token) }
    }

    @Test func expiredBeyondLeewayIsRefused() throws {
        let token = try keys.sign(Fixture.claims(expiresIn: 600), type: "at+jwt")
        #expect(throws: TokenRejection.expired) {
            try keys.verifyAccessToken(token, now: Fixture.now.addingTimeInterval(600 + 61), leeway: 60)
        }
    }

    @Test func expiredWithinLeewayIsAccepted() throws {
        let token = try keys.sign(Fixture.claims(expiresIn: 600), type: "at+jwt")
        #expect(throws: Never.self) {
            try keys.verifyAccessToken(token, now: Fixture.now.addingTimeInterval(600 + 30), leeway: 60)
        }
    }

    @Test func tokenIsExpiredAtItsExpInstantWithoutLeeway() throws {
        let token = try keys.sign(Fixture.claims(expiresIn: 600), type: "at+jwt")
        // exp is written truncated to 1795794425; at that second the token is no longer valid.
        #expect(throws: TokenRejection.expired) {
            try keys.verifyAccessToken(token, now: Date(timeIntervalSince1970: 1_795_794_425), leeway: 0)
        }
        #expect(throws: Never.self) {
            try keys.verifyAccessToken(token, now: Date(timeIntervalSince1970: 1_795_794_424.9), leeway: 0)
        }
    }

    @Test func notBeforeInTheFutureIsRefused() throws {
        let token = try keys.sign(Fixture.claims(notBefore: Fixture.now.addingTimeInterval(120)), type: "at+jwt")
        #expect(throws: TokenRejection.notYetValid) { try keys.verifyAccessToken(token, leeway: 60) }
        #expect(throws: Never.self) {
            try keys.verifyAccessToken(token, now: Fixture.now.addingTimeInterval(61), leeway: 60)
        }
    }

    @Test func issuedInTheFutureIsRefused() throws {
        let future = Fixture.now.addingTimeInterval(300)
        let token = try keys.sign(Fixture.claims(issuedAt: future, notBefore: Fixture.now), type: "at+jwt")
        #expect(throws: TokenRejection.notYetValid) { try keys.verifyAccessToken(token, leeway: 60) }
    }

    @Test func payloadNotMatchingTheExpectedTypeIsMalformed() throws {
        let forgedPayload = #"{"iss":"\#(Fixture.issuer)","exp":9999999999}"#  // no "sub"
        let token = try TokenParts.forged(header: header(), payload: forgedPayload, signedBy: current)
        #expect(throws: TokenRejection.malformed) { try keys.verifyAccessToken(token) }
    }

    @Test func rejectionsReadAsSentences() {
        #expect(
            TokenRejection.forbiddenHeader("jku").description
                == #"the token header carries the refused parameter "jku""#)
        #expect(TokenRejection.expired.description == "the token has expired")
    }
}
