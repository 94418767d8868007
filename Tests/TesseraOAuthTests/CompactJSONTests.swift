import Foundation
import TesseraKeys
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
