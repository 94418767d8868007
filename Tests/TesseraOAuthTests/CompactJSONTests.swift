import Foundation
import TesseraJOSE
import TesseraOAuth
import Testing

/// The hand-written JSON of the hot path says exactly what `Codable` would.
@Suite struct CompactJSONTests {
    func object(_ bytes: [UInt8]) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary)
    }

    func codable<T: Encodable>(_ value: T) throws -> NSDictionary {
        try object(Array(try JSONEncoder().encode(value)))
    }

    @Test(arguments: [
        AccessTokenClaims(
            iss: "https://auth.example.com/t/acme", sub: "client-1", aud: .one("https://api.example.com"),
            exp: 1_800_000_600, iat: 1_800_000_000, nbf: 1_800_000_000, jti: "abc", clientID: "client-1",
            scope: "orders:read"),
        AccessTokenClaims(
            iss: "https://auth.example.com/t/acme", sub: "user \"quoted\" \\ back\u{1}slash\n",
            aud: .many(["a", "b/c"]),
            exp: 2, iat: 1, nbf: 1, jti: "é✓", clientID: "svc", scope: "", authTime: 5,
            act: ActorClaim(sub: "svc-b", clientID: "svc-b", act: ActorClaim(sub: "svc-a"))),
    ])
    func accessTokenClaimsMatchCodable(claims: AccessTokenClaims) throws {
        #expect(try object(claims.compactJSON) == codable(claims))
        let decoded = try JSONDecoder().decode(AccessTokenClaims.self, from: Data(claims.compactJSON))
        #expect(decoded == claims)
    }

    @Test func tokenResponseMatchesCodable() throws {
        let response = TokenResponse(accessToken: "eyJ.x.y", expiresIn: 600, scope: "a b", refreshToken: "r")
        #expect(try object(response.compactJSON) == codable(response))
        #expect(String(decoding: response.compactJSON, as: UTF8.self).contains("\"token_type\":\"Bearer\""))
    }
}

/// The hand-written claims reader accepts and refuses exactly what `Codable` does, for the
/// claims of tokens we issue and for every shape a forged or foreign payload could take.
@Suite struct CompactJSONDecodingTests {
    static let base =
        #""iss":"https://auth.example.com/t/acme","sub":"c","exp":1800000600,"iat":1800000000,"nbf":1800000000,"jti":"j","client_id":"c","scope":"a b""#

    func agree(_ json: String) throws {
        let codable = try? JSONDecoder().decode(AccessTokenClaims.self, from: Data(json.utf8))
        let ours = try? AccessTokenClaims(compactJSON: JSONReader.object(Array(json.utf8)))
        #expect(ours == codable, "\(json)")
    }

    @Test(arguments: [
        // Accepted by both.
        "{\(base),\"aud\":\"https://api.example.com\"}",
        "{\(base),\"aud\":[\"a\",\"b/c\"]}",
        "{\(base),\"aud\":[]}",
        "{\(base),\"aud\":\"x\",\"auth_time\":5,\"unknown\":{\"deep\":[1,2]}}",
        "{\(base),\"aud\":\"x\",\"auth_time\":null,\"act\":null}",
        "{\(base),\"aud\":\"x\",\"act\":{\"sub\":\"b\",\"client_id\":\"b\",\"act\":{\"sub\":\"a\"}}}",
        #"{"iss":"i","sub":"s \" \\ \u00e9","aud":"a","exp":1e3,"iat":1.0,"nbf":0,"jti":"j","client_id":"c","scope":""}"#,
        // Refused by both.
        "{\(base)}",
        "{\(base),\"aud\":1}",
        "{\(base),\"aud\":[\"a\",1]}",
        "{\(base),\"aud\":null}",
        "{\(base),\"aud\":\"x\",\"auth_time\":\"5\"}",
        "{\(base),\"aud\":\"x\",\"act\":{\"client_id\":\"b\"}}",
        "{\(base),\"aud\":\"x\",\"act\":\"b\"}",
        #"{"iss":"i","sub":"s","aud":"a","exp":1.5,"iat":1,"nbf":1,"jti":"j","client_id":"c","scope":""}"#,
        #"{"iss":"i","sub":"s","aud":"a","exp":"1","iat":1,"nbf":1,"jti":"j","client_id":"c","scope":""}"#,
        #"{"iss":null,"sub":"s","aud":"a","exp":1,"iat":1,"nbf":1,"jti":"j","client_id":"c","scope":""}"#,
        #"{"iss":"i","sub":"s","aud":"a","exp":1,"iat":1,"nbf":1,"jti":"j","client_id":"c"}"#,
    ])
    func claimsReaderAgreesWithCodable(json: String) throws {
        try agree(json)
    }

    @Test(arguments: CompactJSONTests.claimsSamples)
    func issuedClaimsReadBackUnchanged(claims: AccessTokenClaims) throws {
        #expect(try AccessTokenClaims(compactJSON: JSONReader.object(claims.compactJSON)) == claims)
    }

    @Test(arguments: [nil] + CompactJSONTests.claimsSamples.map(Optional.some))
    func introspectionResponseMatchesCodable(claims: AccessTokenClaims?) throws {
        let response = IntrospectionResponse(claims: claims)
        let ours = try #require(try JSONSerialization.jsonObject(with: Data(response.compactJSON)) as? NSDictionary)
        let codable = try #require(
            try JSONSerialization.jsonObject(with: try JSONEncoder().encode(response)) as? NSDictionary)
        #expect(ours == codable)
    }
}

extension CompactJSONTests {
    static let claimsSamples = [
        AccessTokenClaims(
            iss: "https://auth.example.com/t/acme", sub: "client-1", aud: .one("https://api.example.com"),
            exp: 1_800_000_600, iat: 1_800_000_000, nbf: 1_800_000_000, jti: "abc", clientID: "client-1",
            scope: "orders:read"),
        AccessTokenClaims(
            iss: "https://auth.example.com/t/acme", sub: "user \"quoted\" \\ back\u{1}slash\n",
            aud: .many(["a", "b/c"]),
            exp: 2, iat: 1, nbf: 1, jti: "é✓", clientID: "svc", scope: "", authTime: 5,
            act: ActorClaim(sub: "svc-b", clientID: "svc-b", act: ActorClaim(sub: "svc-a"))),
    ]
}
