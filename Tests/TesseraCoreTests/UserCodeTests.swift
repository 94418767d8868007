import Testing

@testable import TesseraCore

@Suite("User codes")
struct UserCodeTests {
    @Test func generatedCodesUseTheAlphabetAndShape() {
        for _ in 0..<200 {
            let code = UserCode.generate()
            #expect(code.count == 9 && code.dropFirst(4).first == "-")
            #expect(code.filter { $0 != "-" }.allSatisfy(UserCode.alphabet.contains))
            #expect(UserCode.normalize(code) == code)
        }
    }

    @Test func typedCodesAreNormalizedOrRefused() {
        #expect(UserCode.normalize("bcdf ghjk") == "BCDF-GHJK")
        #expect(UserCode.normalize(" bcdf-ghjk ") == "BCDF-GHJK")
        #expect(UserCode.normalize("BCDFGHJK") == "BCDF-GHJK")
        for bad in ["", "BCDF-GHJ", "BCDF-GHJKL", "ABCD-EFGH", "BCDF-GHJ1", "BCDF_GHJK"] {
            #expect(UserCode.normalize(bad) == nil, "\(bad)")
        }
    }

    @Test func pkceChecksTheVerifierAgainstItsChallenge() {
        let verifier = String(repeating: "a", count: 43)
        let challenge = PKCE.challenge(for: verifier)
        #expect(PKCE.isValidChallenge(challenge))
        #expect(PKCE.verify(verifier: verifier, challenge: challenge))
        #expect(!PKCE.verify(verifier: verifier + "b", challenge: challenge))
        #expect(!PKCE.verify(verifier: "short", challenge: PKCE.challenge(for: "short")))
        #expect(!PKCE.isValidChallenge("plain-text-challenge"))
        // RFC 7636 Appendix B.
        #expect(
            PKCE.challenge(for: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
                == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }
}
