import Crypto
import Foundation
import TesseraCore
import TesseraJOSE
import TesseraOAuth
import TesseraTestSupport
import Testing

/// RFC 9449 §4.3, item by item: proofs made here with swift-crypto, each differing from a valid
/// one by the one rule under test.
@Suite("DPoP proofs")
struct DPoPProofTests {
    static let url = "https://as.example.com/t/acme/token"
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// A client's DPoP key, making proofs for this suite's token endpoint at its fixed time.
    struct Client {
        let dpop = DPoPKey()

        var key: P256.Signing.PrivateKey { dpop.key }
        var jwk: [String: String] { dpop.jwk }
        var thumbprint: String { dpop.thumbprint }

        func claims(_ extra: [String: Any] = [:], omitting: Set<String> = []) -> [String: Any] {
            dpop.claims(htu: DPoPProofTests.url, at: DPoPProofTests.now, extra, omitting: omitting)
        }

        func proof(
            header: [String: Any]? = nil, claims: [String: Any]? = nil, signedBy signer: P256.Signing.PrivateKey? = nil
        ) throws -> String {
            try dpop.proof(claims ?? self.claims(), header: header, signedBy: signer)
        }
    }

    static func verify(
        _ headers: [String], method: String = "POST", url: String = DPoPProofTests.url, accessToken: String? = nil,
        nonce: DPoPNonces.Check? = nil
    ) async throws(OAuthError) -> DPoPProof {
        try await DPoPProof.verify(
            headers: headers, request: .init(method: method, url: url, accessToken: accessToken), now: now,
            nonce: nonce)
    }

    static func refusal(
        _ headers: [String], method: String = "POST", url: String = DPoPProofTests.url, accessToken: String? = nil,
        nonce: DPoPNonces.Check? = nil
    ) async -> OAuthError? {
        do throws(OAuthError) {
            _ = try await verify(headers, method: method, url: url, accessToken: accessToken, nonce: nonce)
            return nil
        } catch {
            return error
        }
    }

    @Test func aValidProofNamesItsKeyByThumbprint() async throws {
        let client = Client()
        let proof = try await Self.verify([try client.proof()])
        #expect(proof.jkt == client.thumbprint)
        #expect(proof.issuedAt == Self.now)
    }

    @Test func anEd25519ProofIsAcceptedUnderEitherName() async throws {
        let key = Curve25519.Signing.PrivateKey()
        let jwk = ["kty": "OKP", "crv": "Ed25519", "x": Base64URL.encode(key.publicKey.rawRepresentation)]
        for alg in ["Ed25519", "EdDSA"] {
            let header: [String: Any] = ["typ": "dpop+jwt", "alg": alg, "jwk": jwk]
            let claims = Client().claims()
            let input =
                Base64URL.encode(try JSONSerialization.data(withJSONObject: header)) + "."
                + Base64URL.encode(try JSONSerialization.data(withJSONObject: claims))
            let token = input + "." + Base64URL.encode(try key.signature(for: Array(input.utf8)))
            #expect(try await Self.verify([token]).jti == claims["jti"] as? String, "\(alg)")
        }
    }

    /// §4.3 item 1: exactly one DPoP header.
    @Test func aMissingOrSecondProofIsRefused() async throws {
        let client = Client()
        #expect(await Self.refusal([])?.code == .invalidDPoPProof)
        #expect(await Self.refusal([try client.proof(), try client.proof()])?.code == .invalidDPoPProof)
    }

    /// Items 2, 4, 5 and 7: a JWT, `typ`, an asymmetric supported `alg`, a public `jwk`.
    @Test func headersThatAreNotAProofsAreRefused() async throws {
        let client = Client()
        var privateJWK: [String: Any] = client.jwk
        privateJWK["d"] = Base64URL.encode(client.key.rawRepresentation)
        let headers: [[String: Any]] = [
            ["typ": "JWT", "alg": "ES256", "jwk": client.jwk],
            ["alg": "ES256", "jwk": client.jwk],
            ["typ": "dpop+jwt", "alg": "none", "jwk": client.jwk],
            ["typ": "dpop+jwt", "alg": "HS256", "jwk": client.jwk],
            ["typ": "dpop+jwt", "alg": "ES256"],
            ["typ": "dpop+jwt", "alg": "ES256", "jwk": privateJWK],
            ["typ": "dpop+jwt", "alg": "ES256", "jwk": ["kty": "oct", "k": "c2VjcmV0"]],
            ["typ": "dpop+jwt", "alg": "ES256", "jwk": client.jwk, "jku": "https://attacker.example/keys"],
            ["typ": "dpop+jwt", "alg": "ES256", "jwk": client.jwk, "x5c": ["MIIB"]],
        ]
        for header in headers {
            let error = await Self.refusal([try client.proof(header: header)])
            #expect(error?.code == .invalidDPoPProof, "\(header)")
        }
        for malformed in ["", "a.b", "not a jwt", "e30.e30.", "e30.e30.AA"] {
            #expect(await Self.refusal([malformed])?.code == .invalidDPoPProof, "\(malformed)")
        }
    }

    /// Item 6: signed by the key it carries.
    @Test func aProofSignedByAnotherKeyIsRefused() async throws {
        let client = Client()
        let other = P256.Signing.PrivateKey()
        #expect(await Self.refusal([try client.proof(signedBy: other)])?.code == .invalidDPoPProof)
    }

    /// Items 3, 8, 9 and 11: the claims, the method, the URI and the time.
    @Test func claimsThatDoNotFitTheRequestAreRefused() async throws {
        let client = Client()
        let bad: [[String: Any]] = [
            client.claims(omitting: ["jti"]), client.claims(omitting: ["htm"]), client.claims(omitting: ["htu"]),
            client.claims(omitting: ["iat"]), client.claims(["iat": "now"]), client.claims(["jti": ""]),
            client.claims(["htm": "GET"]), client.claims(["htm": "post"]),
            client.claims(["htu": "https://as.example.com/t/other/token"]),
            client.claims(["htu": "https://evil.example.com/t/acme/token"]),
            client.claims(["iat": Int(Self.now.timeIntervalSince1970) - 3_600]),
            client.claims(["iat": Int(Self.now.timeIntervalSince1970) + 3_600]),
        ]
        for claims in bad {
            let error = await Self.refusal([try client.proof(claims: claims)])
            #expect(error?.code == .invalidDPoPProof, "\(claims)")
        }
    }

    /// Item 9 ignores query and fragment, and compares scheme, host and default port as URIs do.
    @Test func theURIIsComparedWithoutQueryOrFragment() async throws {
        let client = Client()
        for htu in [
            "https://as.example.com/t/acme/token?x=1", "https://AS.example.com:443/t/acme/token#f",
            "HTTPS://as.example.com/t/acme/token",
        ] {
            let proof = try await Self.verify([try client.proof(claims: client.claims(["htu": htu]))])
            #expect(proof.jkt == client.thumbprint, "\(htu)")
        }
    }

    /// Item 12: with an access token, `ath` is its hash.
    @Test func atAResourceTheProofNamesTheAccessToken() async throws {
        let client = Client()
        let token = "eyJhbGciOiJFUzI1NiJ9.e30.sig"
        let good = try client.proof(claims: client.claims(["ath": DPoPProof.ath(of: token), "htm": "GET"]))
        _ = try await Self.verify([good], method: "GET", accessToken: token)
        let wrong = try client.proof(claims: client.claims(["ath": DPoPProof.ath(of: token + "x"), "htm": "GET"]))
        #expect(await Self.refusal([wrong], method: "GET", accessToken: token)?.code == .invalidDPoPProof)
        let none = try client.proof(claims: client.claims(["htm": "GET"]))
        #expect(await Self.refusal([none], method: "GET", accessToken: token)?.code == .invalidDPoPProof)
    }

    /// Item 10 and §8: a server nonce any instance checks, bound to the tenant, rotating.
    @Test func serverNoncesAreRequiredCheckedAndRotate() async throws {
        let client = Client()
        let masterKey = MasterKey.generate()
        let acme = UUID()
        let nonces = DPoPNonces(masterKey: masterKey, slot: 120)
        let check = nonces.check(for: acme, at: Self.now)

        let missing = await Self.refusal([try client.proof()], nonce: check)
        #expect(missing?.code == .useDPoPNonce)
        let issued = try #require(missing?.dpopNonce)
        let withNonce = try client.proof(claims: client.claims(["nonce": issued]))
        _ = try await Self.verify([withNonce], nonce: check)

        // Another instance with the same master key accepts it; another tenant does not.
        let elsewhere = DPoPNonces(masterKey: masterKey, slot: 120)
        #expect(elsewhere.accepts(issued, for: acme, at: Self.now))
        #expect(!elsewhere.accepts(issued, for: UUID(), at: Self.now))
        #expect(!DPoPNonces(masterKey: MasterKey.generate()).accepts(issued, for: acme, at: Self.now))
        // Good in its slot and the next; refused after, and a fresh one is handed out.
        #expect(nonces.accepts(issued, for: acme, at: Self.now.addingTimeInterval(120)))
        #expect(!nonces.accepts(issued, for: acme, at: Self.now.addingTimeInterval(240)))
        #expect(nonces.nonce(for: acme, at: Self.now.addingTimeInterval(240)) != issued)
        let stale = await Self.refusal(
            [withNonce], nonce: nonces.check(for: acme, at: Self.now.addingTimeInterval(240)))
        #expect(stale?.code == .useDPoPNonce)
    }
}
