import Foundation
import TesseraCore
import Testing

@testable import TesseraJOSE

@Suite struct Base64URLBytesTests {
    @Test func encodingAgreesWithTheReferenceForEveryLengthUpTo300() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...300 {
            let bytes = (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            let encoded = Base64URLBytes.encodeToString(bytes)
            #expect(encoded == Base64URL.encode(bytes), "length \(length)")
            #expect(Base64URLBytes.decode(encoded) == bytes, "length \(length)")
        }
    }

    @Test func rfc4648TestVectorsDecode() {
        let vectors = [
            "": "", "Zg": "f", "Zm8": "fo", "Zm9v": "foo", "Zm9vYg": "foob", "Zm9vYmE": "fooba", "Zm9vYmFy": "foobar",
        ]
        for (encoded, text) in vectors {
            #expect(Base64URLBytes.decode(encoded) == Array(text.utf8))
        }
    }

    @Test(arguments: ["Zg==", "Zm9v YmFy", "Zm+v", "Zm/v", "Z", "Zm9vY", "Zh", "Zm9"])
    func nonCanonicalOrForeignTextIsRefused(text: String) {
        // Padding, whitespace, the standard alphabet, impossible lengths, and stray low bits
        // ("Zh" would also decode to "f" if the unused bits were ignored).
        #expect(Base64URLBytes.decode(text) == nil)
    }
}
