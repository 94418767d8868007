import Foundation
import TesseraCore
import Testing

@testable import TesseraJOSE

@Suite struct JWKThumbprintTests {
    /// RFC 7638 §3.1: the example RSA key and its thumbprint.
    static let rfc7638ExampleJWK = """
        {"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}
        """

    @Test func thumbprintOfTheRFC7638ExampleKeyMatchesTheRFC() throws {
        let jwk = try PublicJWK(json: Self.rfc7638ExampleJWK)
        #expect(jwk.thumbprint == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
    }

    @Test func thumbprintIgnoresOptionalMembersAndMemberOrder() throws {
        let reordered = try PublicJWK(
            json:
                #"{"e":"AQAB","kid":"other","use":"sig","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","kty":"RSA"}"#
        )
        #expect(reordered.thumbprint == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
    }

    @Test(arguments: ["d", "p", "q", "dp", "dq", "qi", "k"])
    func jwkWithAPrivateMemberIsNotAPublicJWK(member: String) {
        let json = #"{"kty":"EC","crv":"P-256","x":"AAAA","y":"BBBB","\#(member)":"secret"}"#
        #expect {
            try PublicJWK(json: json)
        } throws: { error in
            guard case KeyError.invalidPublicJWK(_, let reason) = error else { return false }
            return reason.contains("\"\(member)\"")
        }
    }
}

@Suite struct KeyGeneratorTests {
    static let published: [SigningAlgorithm] = [.es256, .edDSA, .rs256]

    @Test(arguments: published)
    func kidIsTheRFC7638ThumbprintOfThePublicKey(algorithm: SigningAlgorithm) throws {
        let key = try KeyGenerator.generate(algorithm)
        let jwk = try PublicJWK(json: key.publicJWK)
        #expect(key.kid == jwk.thumbprint)
        #expect(jwk.kid == key.kid)
        #expect(key.kid.count == 43)
    }

    @Test(arguments: published)
    func publicJWKIsCompactSortedAndCarriesTheRequiredMembers(algorithm: SigningAlgorithm) throws {
        let key = try KeyGenerator.generate(algorithm)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(key.publicJWK.utf8)) as? [String: String])
        let expected: Set<String> =
            switch algorithm {
            case .es256: ["kty", "kid", "alg", "use", "crv", "x", "y"]
            case .edDSA: ["kty", "kid", "alg", "use", "crv", "x"]
            default: ["kty", "kid", "alg", "use", "n", "e"]
            }
        #expect(Set(object.keys) == expected)
        #expect(object["alg"] == algorithm.jwsAlgorithm)  // RFC 9864: Ed25519, not EdDSA
        #expect(object["use"] == "sig")
        #expect(!key.publicJWK.contains(" ") && !key.publicJWK.contains("\n") && !key.publicJWK.contains("\\/"))
        // Keys appear in lexicographic order.
        let order = object.keys.sorted().compactMap { key.publicJWK.range(of: "\"\($0)\":")?.lowerBound }
        #expect(order == order.sorted())
    }

    @Test func es256PublicKeyIsACurvePointOnP256() throws {
        let key = try KeyGenerator.generate(.es256)
        let jwk = try PublicJWK(json: key.publicJWK)
        #expect(jwk.requiredMembers["kty"] == "EC")
        #expect(jwk.requiredMembers["crv"] == "P-256")
        #expect(Base64URL.decode(jwk.requiredMembers["x"] ?? "")?.count == 32)
        #expect(Base64URL.decode(jwk.requiredMembers["y"] ?? "")?.count == 32)
        #expect(key.privateKey.count == 32)
    }

    @Test func edDSAPublicKeyIsAnEd25519OctetKeyPair() throws {
        let key = try KeyGenerator.generate(.edDSA)
        let jwk = try PublicJWK(json: key.publicJWK)
        #expect(jwk.requiredMembers["kty"] == "OKP")
        #expect(jwk.requiredMembers["crv"] == "Ed25519")
        #expect(Base64URL.decode(jwk.requiredMembers["x"] ?? "")?.count == 32)
        #expect(key.privateKey.count == 32)
    }

    @Test func rs256KeyHas2048BitModulusAndExponent65537() throws {
        let key = try KeyGenerator.generate(.rs256)
        let jwk = try PublicJWK(json: key.publicJWK)
        #expect(Base64URL.decode(jwk.requiredMembers["n"] ?? "")?.count == 256)
        #expect(jwk.requiredMembers["e"] == "AQAB")
    }

    @Test func hs256KeyIsNeverPublishedAndHasARandomKid() throws {
        let first = try KeyGenerator.generate(.hs256)
        let second = try KeyGenerator.generate(.hs256)
        #expect(first.publicJWK == "{}")
        #expect(first.privateKey.count == 32)
        #expect(Base64URL.decode(first.kid)?.count == 16)
        #expect(first.kid != second.kid)
        #expect(first.privateKey != second.privateKey)
    }

    @Test(arguments: SigningAlgorithm.allCases)
    func generatedKeysAreUnique(algorithm: SigningAlgorithm) throws {
        let first = try KeyGenerator.generate(algorithm)
        let second = try KeyGenerator.generate(algorithm)
        #expect(first.kid != second.kid)
        #expect(first.privateKey != second.privateKey)
    }

    @Test func recordSealsThePrivatePartBoundToTenantAndKid() throws {
        let master = MasterKey.generate()
        let tenantID = UUID()
        let key = try KeyGenerator.generate(.es256)
        let record = try key.record(tenantID: tenantID, state: .current, now: Fixture.now, masterKey: master)
        let sealed = try #require(record.sealedPrivateKey)
        #expect(sealed != key.privateKey)
        #expect(try master.open(sealed, tenantID: tenantID, kid: key.kid) == key.privateKey)
        #expect(record.activatedAt == Fixture.now)
        #expect(record.publicJWK == key.publicJWK)
    }
}
