import Foundation
import TesseraCore
import Testing

/// The one base64url (RFC 4648 §5), strict as RFC 7515 §2 asks of JWS segments.
@Suite("Base64url")
struct Base64URLTests {
    /// RFC 4648 §10 test vectors, in the URL-safe alphabet without padding.
    @Test(arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"),
        ("foobar", "Zm9vYmFy"),
    ])
    func encodesTheRFCVectors(input: String, expected: String) {
        #expect(Base64URL.encode(Array(input.utf8)) == expected)
    }

    @Test func encodingAgreesWithTheReferenceForEveryLengthUpTo300() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...300 {
            let bytes = (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            let encoded = Base64URL.encode(bytes)
            // The reference: Foundation's base64 with RFC 4648 §5's alphabet and no padding.
            let reference = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            #expect(encoded == reference, "length \(length)")
            #expect(Base64URL.decode(encoded) == bytes, "length \(length)")
        }
    }

    @Test func rfc4648TestVectorsDecode() {
        let vectors = [
            "": "", "Zg": "f", "Zm8": "fo", "Zm9v": "foo", "Zm9vYg": "foob", "Zm9vYmE": "fooba", "Zm9vYmFy": "foobar",
        ]
        for (encoded, text) in vectors {
            #expect(Base64URL.decode(encoded) == Array(text.utf8))
        }
    }

    @Test(arguments: ["Zg==", "Zm9v YmFy", "Zm+v", "Zm/v", "Z", "Zm9vY", "Zh", "Zm9"])
    func nonCanonicalOrForeignTextIsRefused(text: String) {
        // Padding, whitespace, the standard alphabet, impossible lengths, and stray low bits
        // ("Zh" would also decode to "f" if the unused bits were ignored).
        #expect(Base64URL.decode(text) == nil)
    }
}
