import Foundation
import TesseraCore
import Testing

/// RFC 6238 Appendix B's SHA-1 test vectors (six-digit truncations of its eight-digit values,
/// RFC 4226 §5.3), RFC 4648 §10's base32 vectors, and the acceptance rules: one step of drift,
/// never a step at or before the last one used.
@Suite("TOTP")
struct TOTPTests {
    static let secret = Array("12345678901234567890".utf8)

    @Test(arguments: [
        (59, "287082"), (1_111_111_109, "081804"), (1_111_111_111, "050471"), (1_234_567_890, "005924"),
        (2_000_000_000, "279037"), (20_000_000_000, "353130"),
    ])
    func theRFCVectorsAreComputed(_ time: Int, _ code: String) {
        let step = TOTP.step(at: Date(timeIntervalSince1970: TimeInterval(time)))
        #expect(TOTP.code(secret: Self.secret, step: step) == code)
    }

    @Test(arguments: [
        ("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"), ("fooba", "MZXW6YTB"),
        ("foobar", "MZXW6YTBOI"),
    ])
    func base32IsRFC4648(_ text: String, _ encoded: String) {
        #expect(Base32.encode(Array(text.utf8)) == encoded)
    }

    @Test func aCodeIsTakenWithinOneStepAndNeverTwice() {
        let now = Date(timeIntervalSince1970: 1_111_111_111)
        let step = TOTP.step(at: now)
        let current = TOTP.code(secret: Self.secret, step: step)
        #expect(TOTP.matchingStep(current, secret: Self.secret, at: now, after: nil) == step)
        #expect(TOTP.matchingStep("050 471", secret: Self.secret, at: now, after: nil) == step)
        // The code of the previous and the next step, for drift.
        #expect(
            TOTP.matchingStep(TOTP.code(secret: Self.secret, step: step - 1), secret: Self.secret, at: now, after: nil)
                == step - 1)
        #expect(
            TOTP.matchingStep(TOTP.code(secret: Self.secret, step: step + 1), secret: Self.secret, at: now, after: nil)
                == step + 1)
        // Two steps away, a replay of the step used, an older one, garbage.
        #expect(
            TOTP.matchingStep(TOTP.code(secret: Self.secret, step: step - 2), secret: Self.secret, at: now, after: nil)
                == nil)
        #expect(TOTP.matchingStep(current, secret: Self.secret, at: now, after: step) == nil)
        #expect(
            TOTP.matchingStep(
                TOTP.code(secret: Self.secret, step: step - 1), secret: Self.secret, at: now, after: step - 1) == nil)
        for typed in ["", "12345", "1234567", "abcdef", "０５０４７１"] {
            #expect(TOTP.matchingStep(typed, secret: Self.secret, at: now, after: nil) == nil, "\(typed)")
        }
    }

    @Test func theURIIsWhatAuthenticatorAppsRead() {
        let uri = TOTP.uri(secret: Array("foobar".utf8), issuer: "Acme Corp", account: "alice@acme")
        #expect(
            uri
                == "otpauth://totp/Acme%20Corp:alice%40acme?secret=MZXW6YTBOI&issuer=Acme%20Corp&algorithm=SHA1&digits=6&period=30"
        )
    }
}

@Suite("Recovery codes")
struct RecoveryCodeTests {
    @Test func codesHaveTheirShapeAndAreTypedLoosely() {
        let codes = (0..<50).map { _ in RecoveryCode.generate() }
        #expect(Set(codes).count == 50)
        for code in codes {
            #expect(code.wholeMatch(of: /[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}/) != nil, "\(code)")
            #expect(RecoveryCode.looksLikeOne(code.lowercased().replacingOccurrences(of: "-", with: " ")))
            #expect(RecoveryCode.normalized(code.lowercased()) == code.replacingOccurrences(of: "-", with: ""))
        }
        for other in ["123456", "ABCD-EFGH-JKL", "ABCD-EFGH-JKL1", "ABCD-EFGH-JKLM-N"] {
            #expect(!RecoveryCode.looksLikeOne(other), "\(other)")
        }
    }
}
