import Foundation
import TesseraCore
import Testing

@testable import TesseraJOSE

@Suite struct JWKSTests {
    let master = MasterKey.generate()
    let tenantID = UUID()
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    func record(
        _ algorithm: SigningAlgorithm, _ state: KeyState, createdAt: Date? = nil, deactivatedAt: Date? = nil
    )
        throws -> SigningKeyRecord
    {
        var record = try KeyGenerator.generate(algorithm).record(
            tenantID: tenantID, state: state, now: createdAt ?? now, masterKey: master)
        record.deactivatedAt = deactivatedAt
        return record
    }

    func kids(_ json: String) throws -> [String] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let keys = try #require(object["keys"] as? [[String: Any]])
        return keys.compactMap { $0["kid"] as? String }
    }

    @Test func onlyNextCurrentAndPreviousKeysArePublishedCurrentFirst() throws {
        let previous = try record(.es256, .previous, deactivatedAt: now)
        let current = try record(.edDSA, .current)
        let next = try record(.rs256, .next)
        let retired = try record(.es256, .retired)
        let revoked = try record(.es256, .revoked)
        let json = jwksJSON(publishedKeys: [retired, previous, revoked, next, current])
        #expect(try kids(json) == [current.kid, next.kid, previous.kid])
    }

    @Test func hs256KeysAreNeverPublished() throws {
        let current = try record(.hs256, .current)
        let next = try record(.hs256, .next)
        #expect(jwksJSON(publishedKeys: [current, next]) == #"{"keys":[]}"#)
    }

    @Test func jwksCarriesNoPrivateMembers() throws {
        let records = try [record(.es256, .current), record(.rs256, .next), record(.edDSA, .previous)]
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(jwksJSON(publishedKeys: records).utf8)) as? [String: Any])
        let keys = try #require(object["keys"] as? [[String: Any]])
        #expect(keys.count == 3)
        for key in keys {
            #expect(Set(key.keys).isDisjoint(with: ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]))
            #expect(key["use"] as? String == "sig")
        }
    }

    @Test func recordWhosePublicJWKCarriesAPrivateMemberIsLeftOut() throws {
        let good = try record(.es256, .current)
        let leaky = SigningKeyRecord(
            tenantID: tenantID, kid: "leaky", algorithm: .es256, state: .next,
            publicJWK: #"{"kty":"EC","crv":"P-256","x":"AAAA","y":"BBBB","d":"SECRET","kid":"leaky"}"#,
            sealedPrivateKey: nil, createdAt: now)
        let json = jwksJSON(publishedKeys: [good, leaky])
        #expect(!json.contains("SECRET"))
        #expect(try kids(json) == [good.kid])
    }

    @Test func publishedKeyIsTheRecordsPublicJWK() throws {
        let current = try record(.es256, .current)
        #expect(jwksJSON(publishedKeys: [current]) == #"{"keys":["# + current.publicJWK + "]}")
    }

    @Test func renderingIsDeterministicWhateverTheInputOrder() throws {
        let records = try [
            record(.es256, .current), record(.es256, .next),
            record(.es256, .previous, deactivatedAt: now - 100), record(.es256, .previous, deactivatedAt: now - 50),
        ]
        let first = JWKSDocument(publishedKeys: records)
        let second = JWKSDocument(publishedKeys: records.reversed())
        #expect(first == second)
        // Newest previous key first.
        #expect(try kids(first.json) == [records[0].kid, records[1].kid, records[3].kid, records[2].kid])
    }

    @Test func etagIsTheQuotedBase64URLSHA256OfTheJSONAndFollowsChanges() throws {
        let current = try record(.es256, .current)
        let document = JWKSDocument(publishedKeys: [current])
        #expect(document.etag.hasPrefix("\"") && document.etag.hasSuffix("\""))
        #expect(Base64URL.decode(String(document.etag.dropFirst().dropLast()))?.count == 32)
        #expect(document.etag != JWKSDocument(publishedKeys: [current, try record(.es256, .next)]).etag)
    }

    @Test func publishedJWKAloneVerifiesTheTenantsTokens() async throws {
        let tenant = try Fixture.tenant(.es256)
        let keys = try await TenantKeys(tenantID: tenant.tenantID, records: tenant.records, masterKey: tenant.masterKey)
        let token = try keys.sign(Fixture.claims(), type: "at+jwt")
        let kid = try #require(keys.current?.kid)

        // A resource server's view: nothing but the JWKS document.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(keys.jwks.json.utf8)) as? [String: Any])
        let published = try #require((object["keys"] as? [[String: Any]])?.first { $0["kid"] as? String == kid })
        let jwk = String(decoding: try JSONSerialization.data(withJSONObject: published), as: UTF8.self)
        let verifierOnly = SigningKeyRecord(
            tenantID: tenant.tenantID, kid: kid, algorithm: .es256, state: .previous, publicJWK: jwk,
            sealedPrivateKey: nil, createdAt: now)
        let resourceServer = try await TenantKeys(
            tenantID: tenant.tenantID, records: [verifierOnly], masterKey: MasterKey.generate())
        #expect(try resourceServer.verifyAccessToken(token).sub == "user-1")
    }
}
