import Crypto
import Foundation
import TesseraCore
import TesseraJOSE
import Testing

@testable import TesseraOAuth

/// OIDC Core §3.1.3.7 on upstream ID tokens: each rule refuses the token that breaks it.
@Suite("Upstream ID token checks")
struct UpstreamIDTokenTests {
    static let issuer = "https://idp.example.com"
    static let clientID = "tessera-b"
    static let nonce = "n-0S6_WzA2Mj"

    struct Claims: CompactJSONEncodable {
        var iss = UpstreamIDTokenTests.issuer
        var sub: String? = "248289761001"
        var aud: [String] = [UpstreamIDTokenTests.clientID]
        var azp: String? = nil
        var nonce: String? = UpstreamIDTokenTests.nonce
        var iat: Int? = Int(Date().timeIntervalSince1970)
        var exp: Int? = Int(Date().timeIntervalSince1970) + 300

        var compactJSON: [UInt8] {
            var writer = JSONWriter()
            writer.string("iss", iss)
            writer.string("sub", sub)
            if aud.count == 1 { writer.string("aud", aud[0]) } else { writer.strings("aud", aud) }
            writer.string("azp", azp)
            writer.string("nonce", nonce)
            writer.number("iat", iat)
            writer.number("exp", exp)
            writer.string("preferred_username", "alice")
            return writer.finished()
        }
    }

    struct Keys {
        let signer: LoadedKey
        let other: LoadedKey
        let jwks: VerificationKeySet
        let publicJWK: String
    }

    static func keys() async throws -> Keys {
        let masterKey = MasterKey.generate()
        let tenant = UUID()
        func load(_ generated: GeneratedKey) async throws -> LoadedKey {
            try await LoadedKey(
                record: try generated.record(tenantID: tenant, state: .current, now: Date(), masterKey: masterKey),
                masterKey: masterKey)
        }
        let first = try KeyGenerator.generate(.es256)
        let second = try KeyGenerator.generate(.es256)
        return Keys(
            signer: try await load(first), other: try await load(second),
            jwks: await VerificationKeySet(json: "{\"keys\":[\(first.publicJWK)]}"), publicJWK: first.publicJWK)
    }

    static func check(nonce: String = nonce) -> UpstreamIDTokenCheck {
        UpstreamIDTokenCheck(issuer: issuer, clientID: clientID, nonce: nonce, algorithms: [.es256, .rs256], leeway: 5)
    }

    static func rejection(
        _ token: String, _ keys: VerificationKeySet, check: UpstreamIDTokenCheck = check()
    )
        -> UpstreamIDTokenRejection?
    {
        do {
            _ = try check.identity(in: token, keys: keys, now: Date())
            return nil
        } catch {
            return error
        }
    }

    @Test func aWellFormedTokenGivesIssuerAndSubject() async throws {
        let keys = try await Self.keys()
        let identity = try Self.check().identity(
            in: try keys.signer.sign(Claims(), type: "JWT"), keys: keys.jwks, now: Date())
        #expect(identity.issuer == Self.issuer)
        #expect(identity.subject == "248289761001")
        #expect(identity.string("preferred_username") == "alice")
    }

    @Test func wrongAudienceIsRefused() async throws {
        let keys = try await Self.keys()
        var claims = Claims()
        claims.aud = ["someone-else"]
        #expect(Self.rejection(try keys.signer.sign(claims, type: "JWT"), keys.jwks) == .wrongAudience)
    }

    @Test func severalAudiencesNeedOurAzp() async throws {
        let keys = try await Self.keys()
        var claims = Claims()
        claims.aud = [Self.clientID, "another"]
        #expect(Self.rejection(try keys.signer.sign(claims, type: "JWT"), keys.jwks) == .wrongAuthorizedParty)
        claims.azp = "another"
        #expect(Self.rejection(try keys.signer.sign(claims, type: "JWT"), keys.jwks) == .wrongAuthorizedParty)
        claims.azp = Self.clientID
        #expect(Self.rejection(try keys.signer.sign(claims, type: "JWT"), keys.jwks) == nil)
    }

    @Test func wrongNonceIsRefused() async throws {
        let keys = try await Self.keys()
        let token = try keys.signer.sign(Claims(), type: "JWT")
        #expect(Self.rejection(token, keys.jwks, check: Self.check(nonce: "another")) == .wrongNonce)
        var claims = Claims()
        claims.nonce = nil
        #expect(Self.rejection(try keys.signer.sign(claims, type: "JWT"), keys.jwks) == .missingClaim("nonce"))
    }

    @Test func wrongIssuerIsRefused() async throws {
        let keys = try await Self.keys()
        var claims = Claims()
        claims.iss = "https://idp.example.com/"
        #expect(Self.rejection(try keys.signer.sign(claims, type: "JWT"), keys.jwks) == .token(.wrongIssuer))
    }

    @Test func expiredAndFutureTokensAreRefused() async throws {
        let keys = try await Self.keys()
        let now = Int(Date().timeIntervalSince1970)
        var claims = Claims()
        claims.exp = now - 60
        #expect(Self.rejection(try keys.signer.sign(claims, type: "JWT"), keys.jwks) == .token(.expired))
        claims = Claims()
        claims.exp = nil
        #expect(Self.rejection(try keys.signer.sign(claims, type: "JWT"), keys.jwks) == .token(.missingClaim("exp")))
        claims = Claims()
        claims.iat = now + 600
        #expect(Self.rejection(try keys.signer.sign(claims, type: "JWT"), keys.jwks) == .token(.notYetValid))
        claims = Claims()
        claims.iat = nil
        #expect(Self.rejection(try keys.signer.sign(claims, type: "JWT"), keys.jwks) == .missingClaim("iat"))
    }

    @Test func aSignatureByAnotherKeyUnderTheSameKidIsRefused() async throws {
        let keys = try await Self.keys()
        // The other key signs; the published set says its kid is the first key's.
        let forged = await VerificationKeySet(
            json: "{\"keys\":[\(keys.publicJWK.replacingOccurrences(of: keys.signer.kid, with: keys.other.kid))]}")
        #expect(Self.rejection(try keys.other.sign(Claims(), type: "JWT"), forged) == .token(.badSignature))
        // A tampered payload fails too.
        let parts = try keys.signer.sign(Claims(), type: "JWT").split(separator: ".").map(String.init)
        var other = Claims()
        other.sub = "someone-else"
        let tampered = parts[0] + "." + Base64URL.encode(other.compactJSON) + "." + parts[2]
        #expect(Self.rejection(tampered, keys.jwks) == .token(.badSignature))
    }

    @Test func unknownKidIsToldApart() async throws {
        let keys = try await Self.keys()
        #expect(Self.rejection(try keys.other.sign(Claims(), type: "JWT"), keys.jwks) == .token(.unknownKey))
    }

    @Test func algNoneAndHMACWithThePublicKeyAreRefused() async throws {
        let keys = try await Self.keys()
        let payload = Base64URL.encode(Claims().compactJSON)
        let none = Base64URL.encode(Array(#"{"alg":"none"}"#.utf8)) + "." + payload + "."
        #expect(Self.rejection(none, keys.jwks) == .token(.unsupportedAlgorithm))
        let header = Base64URL.encode(Array("{\"alg\":\"HS256\",\"kid\":\"\(keys.signer.kid)\"}".utf8))
        let input = header + "." + payload
        let mac = HMAC<SHA256>.authenticationCode(
            for: Array(input.utf8), using: SymmetricKey(data: Array(keys.publicJWK.utf8)))
        #expect(Self.rejection(input + "." + Base64URL.encode(Array(mac)), keys.jwks) == .token(.unsupportedAlgorithm))
    }

    @Test func anAlgorithmTheProviderDoesNotAdvertiseIsRefused() async throws {
        let keys = try await Self.keys()
        let check = UpstreamIDTokenCheck(
            issuer: Self.issuer, clientID: Self.clientID, nonce: Self.nonce, algorithms: [.rs256])
        #expect(
            Self.rejection(try keys.signer.sign(Claims(), type: "JWT"), keys.jwks, check: check)
                == .token(.unsupportedAlgorithm))
    }

    @Test func anotherKindOfJWTIsRefused() async throws {
        let keys = try await Self.keys()
        #expect(Self.rejection(try keys.signer.sign(Claims(), type: "at+jwt"), keys.jwks) == .token(.wrongType))
    }

    @Test func metadataMustNameTheConfiguredIssuer() throws {
        let document = Array(
            #"{"issuer":"https://evil.example.com","authorization_endpoint":"https://a/x","token_endpoint":"https://a/t","jwks_uri":"https://a/j"}"#
                .utf8)
        #expect(throws: UpstreamFailure.self) { try UpstreamMetadata(json: document, expectedIssuer: Self.issuer) }
        let good = Array(
            #"{"issuer":"https://idp.example.com","authorization_endpoint":"https://a/x","token_endpoint":"https://a/t","jwks_uri":"https://a/j","id_token_signing_alg_values_supported":["ES256","HS256","none"],"authorization_response_iss_parameter_supported":true}"#
                .utf8)
        let metadata = try UpstreamMetadata(json: good, expectedIssuer: Self.issuer)
        #expect(metadata.idTokenAlgorithms == [.es256])
        #expect(metadata.issParameterSupported)
    }
}
