import Foundation
import TesseraJOSE
import TesseraOAuth
import Testing

/// The wire formats of what the token endpoints write and read, each with its one codec
/// (`JSONWriter` out, `JSONReader` in), held to the RFCs' member names and types.
@Suite struct WireFormatTests {
    static let samples = [
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

    static func object(_ bytes: [UInt8]) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary)
    }

    /// RFC 9068 §2.2 and RFC 8693 §4.1 member names, each of its JSON type; unset members absent.
    @Test func accessTokenClaimsAreWrittenWithTheRFCsMembers() throws {
        #expect(
            try Self.object(Self.samples[0].compactJSON)
                == [
                    "iss": "https://auth.example.com/t/acme", "sub": "client-1", "aud": "https://api.example.com",
                    "exp": 1_800_000_600, "iat": 1_800_000_000, "nbf": 1_800_000_000, "jti": "abc",
                    "client_id": "client-1", "scope": "orders:read",
                ] as NSDictionary)
        #expect(
            try Self.object(Self.samples[1].compactJSON)
                == [
                    "iss": "https://auth.example.com/t/acme", "sub": "user \"quoted\" \\ back\u{1}slash\n",
                    "aud": ["a", "b/c"], "exp": 2, "iat": 1, "nbf": 1, "jti": "é✓", "client_id": "svc", "scope": "",
                    "auth_time": 5,
                    "act": ["sub": "svc-b", "client_id": "svc-b", "act": ["sub": "svc-a"]],
                ] as NSDictionary)
        // `/` is written as it is, so an issuer reads as a URL.
        #expect(
            String(decoding: Self.samples[0].compactJSON, as: UTF8.self).contains("https://auth.example.com/t/acme"))
    }

    @Test(arguments: samples)
    func issuedClaimsReadBackUnchanged(claims: AccessTokenClaims) throws {
        #expect(try AccessTokenClaims(compactJSON: JSONReader.object(claims.compactJSON)) == claims)
    }

    @Test func tokenResponseIsRFC6749Section5Point1() throws {
        let response = TokenResponse(accessToken: "eyJ.x.y", expiresIn: 600, scope: "a b", refreshToken: "r")
        #expect(
            try Self.object(response.compactJSON)
                == [
                    "access_token": "eyJ.x.y", "token_type": "Bearer", "expires_in": 600, "scope": "a b",
                    "refresh_token": "r",
                ] as NSDictionary)
    }

    /// RFC 7662 §2.2: an inactive token is `{"active": false}` and nothing else.
    @Test func introspectionAnswersAreRFC7662Section2Point2() throws {
        #expect(try Self.object(IntrospectionResponse.inactive.compactJSON) == ["active": false] as NSDictionary)
        #expect(
            try Self.object(IntrospectionResponse(claims: Self.samples[1]).compactJSON)
                == [
                    "active": true, "scope": "", "client_id": "svc", "sub": "user \"quoted\" \\ back\u{1}slash\n",
                    "aud": ["a", "b/c"], "iss": "https://auth.example.com/t/acme", "exp": 2, "iat": 1, "nbf": 1,
                    "jti": "é✓", "token_type": "Bearer",
                    "act": ["sub": "svc-b", "client_id": "svc-b", "act": ["sub": "svc-a"]],
                ] as NSDictionary)
    }

    @Test func idTokenClaimsAreOIDCCoreSection2() throws {
        let claims = IDTokenClaims(
            iss: "https://auth.example.com/t/acme", sub: "u", aud: "app", exp: 20, iat: 10, authTime: 9, nonce: "n",
            atHash: "h", azp: "app", preferredUsername: nil)
        #expect(
            try Self.object(claims.compactJSON)
                == [
                    "iss": "https://auth.example.com/t/acme", "sub": "u", "aud": "app", "exp": 20, "iat": 10,
                    "auth_time": 9, "nonce": "n", "at_hash": "h", "azp": "app",
                ] as NSDictionary)
    }
}

/// The claims reader takes what RFC 9068 and RFC 7519 allow and nothing else, for the claims of
/// tokens we issue and for every shape a forged or foreign payload could take.
@Suite struct AccessTokenClaimsReadingTests {
    static let base =
        #""iss":"https://auth.example.com/t/acme","sub":"c","exp":1800000600,"iat":1800000000,"nbf":1800000000,"jti":"j","client_id":"c","scope":"a b""#

    static func read(_ json: String) -> AccessTokenClaims? {
        try? AccessTokenClaims(compactJSON: JSONReader.object(Array(json.utf8)))
    }

    @Test(arguments: [
        "{\(base),\"aud\":\"https://api.example.com\"}",
        "{\(base),\"aud\":[\"a\",\"b/c\"]}",
        "{\(base),\"aud\":[]}",
        "{\(base),\"aud\":\"x\",\"auth_time\":5,\"unknown\":{\"deep\":[1,2]}}",
        "{\(base),\"aud\":\"x\",\"auth_time\":null,\"act\":null}",
        "{\(base),\"aud\":\"x\",\"act\":{\"sub\":\"b\",\"client_id\":\"b\",\"act\":{\"sub\":\"a\"}}}",
        #"{"iss":"i","sub":"s \" \\ \u00e9","aud":"a","exp":1e3,"iat":1.0,"nbf":0,"jti":"j","client_id":"c","scope":""}"#,
    ])
    func claimsOfTheRightShapeAreRead(json: String) {
        #expect(Self.read(json) != nil, "\(json)")
    }

    @Test func readValuesAreTheWrittenOnes() throws {
        let claims = try #require(
            Self.read(
                #"{"iss":"i","sub":"s \" \\ \u00e9","aud":"a","exp":1e3,"iat":1.0,"nbf":0,"jti":"j","client_id":"c","scope":""}"#
            ))
        #expect(claims.sub == "s \" \\ é" && claims.exp == 1000 && claims.iat == 1 && claims.aud == .one("a"))
    }

    @Test(arguments: [
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
    func claimsOfAnyOtherShapeAreRefused(json: String) {
        #expect(Self.read(json) == nil, "\(json)")
    }
}
