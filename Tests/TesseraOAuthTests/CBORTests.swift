import Crypto
import Foundation
import TesseraTestSupport
import Testing
import _CryptoExtras

@testable import TesseraJOSE

/// The CBOR reader against RFC 8949 Appendix A's examples, and its refusals: every construct
/// outside the CTAP2 subset, malformed lengths, repeated keys, and deep nesting.
@Suite struct CBORTests {
    static func bytes(_ hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            result.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return result
    }

    @Test(arguments: [
        ("00", CBORValue.unsigned(0)), ("17", .unsigned(23)), ("1818", .unsigned(24)), ("1903e8", .unsigned(1000)),
        ("1bffffffffffffffff", .unsigned(UInt64.max)), ("20", .negative(0)), ("3863", .negative(99)),
        ("40", .bytes([])), ("4401020304", .bytes([1, 2, 3, 4])), ("60", .text("")), ("6161", .text("a")),
        ("62c3bc", .text("ü")), ("80", .array([])), ("83010203", .array([.unsigned(1), .unsigned(2), .unsigned(3)])),
        ("a0", .map([])), ("a201020304", .map([(.unsigned(1), .unsigned(2)), (.unsigned(3), .unsigned(4))])),
        (
            "a26161016162820203",
            .map([(.text("a"), .unsigned(1)), (.text("b"), .array([.unsigned(2), .unsigned(3)]))])
        ),
        ("f4", .bool(false)), ("f5", .bool(true)), ("f6", .null),
    ])
    func readsTheAppendixAExamples(hex: String, expected: CBORValue) throws {
        #expect(try CBOR.decode(Self.bytes(hex)) == expected)
    }

    @Test(arguments: [
        ("", "unexpected end"), ("f7", "simple value 23"), ("f93c00", "floating-point"),
        ("fb3ff199999999999a", "floating-point"),
        ("c074", "tag"), ("5f42010243030405ff", "indefinite"), ("9f018202039f0405ffff", "indefinite"),
        ("1c", "reserved"),
        ("a201020103", "repeated map key"), ("62c328", "UTF-8"), ("1903", "unexpected end"),
        ("5affffffff00", "length beyond the end"), ("0000", "bytes after"), ("a18000", "not an integer or text"),
        ("f818", "simple value 24"), ("9bffffffffffffffff", "array of"), ("bbffffffffffffffff", "map of"),
    ])
    func refusesWhatIsOutsideTheSubset(hex: String, reason: String) {
        #expect {
            try CBOR.decode(Self.bytes(hex))
        } throws: { error in
            (error as? CBOR.Failure)?.reason.contains(reason) == true
        }
    }

    @Test func refusesNestingDeeperThanTheLimit() throws {
        let deep = [UInt8](repeating: 0x81, count: CBOR.maximumDepth + 1) + [0x00]
        #expect(throws: CBOR.Failure.self) { try CBOR.decode(deep) }
        let shallow = [UInt8](repeating: 0x81, count: CBOR.maximumDepth) + [0x00]
        #expect(try CBOR.decode(shallow) != .null)
    }

    @Test func aPrefixLeavesTheRestForTheNextItem() throws {
        let (first, rest) = try CBOR.decodePrefix(Self.bytes("a10102a0")[...])
        #expect(first == .map([(.unsigned(1), .unsigned(2))]))
        #expect(Array(rest) == [0xA0])
    }

    /// Random bytes and mutations of a real COSE key: the reader answers or refuses, always
    /// within its bounds (a crash or a hang here is a remote one in the sign-in pages).
    @Test func fuzzedInputIsAnsweredOrRefused() {
        var generator = SystemRandomNumberGenerator()
        let key = COSETestKeys.es256().encoded
        var refused = 0
        for round in 0..<20_000 {
            var input: [UInt8]
            if round % 2 == 0 {
                input = (0..<Int.random(in: 0...64, using: &generator)).map { _ in
                    UInt8.random(in: 0...255, using: &generator)
                }
            } else {
                input = key
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    let index = Int.random(in: 0..<input.count, using: &generator)
                    switch Int.random(in: 0..<3, using: &generator) {
                    case 0: input[index] = UInt8.random(in: 0...255, using: &generator)
                    case 1: input.removeSubrange(index...)
                    default: input.insert(UInt8.random(in: 0...255, using: &generator), at: index)
                    }
                    if input.isEmpty { break }
                }
            }
            do {
                _ = try COSEKey(cbor: input)
            } catch {
                refused += 1
            }
        }
        #expect(refused > 10_000)
    }
}

/// COSE keys of the three algorithms verify their own signatures and nothing else; keys of the
/// wrong type, curve or size are refused when read.
@Suite struct COSEKeyTests {
    @Test func eachAlgorithmVerifiesItsSignatureAndRefusesAnAlteredOne() throws {
        for key in [COSETestKeys.es256(), COSETestKeys.ed25519(), try COSETestKeys.rs256()] {
            let cose = try COSEKey(cbor: key.encoded)
            let data = Array("authenticator data and client data hash".utf8)
            let signature = try key.sign(data)
            #expect(cose.isValidSignature(signature, for: data))
            #expect(!cose.isValidSignature(signature, for: data + [0]))
            var altered = signature
            altered[altered.count / 2] ^= 0x01
            #expect(!cose.isValidSignature(altered, for: data))
        }
    }

    @Test func aRawECDSASignatureIsNotTheDERFormWebAuthnUses() throws {
        let key = P256.Signing.PrivateKey()
        let data = Array("signed".utf8)
        let raw = Array(try key.signature(for: data).rawRepresentation)
        let publicKey = Array(key.publicKey.rawRepresentation)
        let cose = try COSEKey(
            cbor: TestCBOR.map([
                (TestCBOR.int(1), TestCBOR.int(2)), (TestCBOR.int(3), TestCBOR.int(-7)),
                (TestCBOR.int(-1), TestCBOR.int(1)),
                (TestCBOR.int(-2), TestCBOR.bytes(Array(publicKey[0..<32]))),
                (TestCBOR.int(-3), TestCBOR.bytes(Array(publicKey[32...]))),
            ]))
        #expect(!cose.isValidSignature(raw, for: data))
    }

    @Test(
        arguments: [
            // ES256 on the wrong curve (P-384), with the wrong key type, with a short coordinate.
            [
                (1, TestCBOR.int(2)), (3, TestCBOR.int(-7)), (-1, TestCBOR.int(2)),
                (-2, TestCBOR.bytes(Array(repeating: 1, count: 32))),
                (-3, TestCBOR.bytes(Array(repeating: 1, count: 32))),
            ],
            [
                (1, TestCBOR.int(1)), (3, TestCBOR.int(-7)), (-1, TestCBOR.int(1)),
                (-2, TestCBOR.bytes(Array(repeating: 1, count: 32))),
            ],
            [
                (1, TestCBOR.int(2)), (3, TestCBOR.int(-7)), (-1, TestCBOR.int(1)),
                (-2, TestCBOR.bytes(Array(repeating: 1, count: 31))),
                (-3, TestCBOR.bytes(Array(repeating: 1, count: 32))),
            ],
            // A point not on the curve.
            [
                (1, TestCBOR.int(2)), (3, TestCBOR.int(-7)), (-1, TestCBOR.int(1)),
                (-2, TestCBOR.bytes(Array(repeating: 1, count: 32))),
                (-3, TestCBOR.bytes(Array(repeating: 1, count: 32))),
            ],
            // EdDSA on X25519 (crv 4); RSA of 1024 bits; an algorithm we do not offer (ES384); none at all.
            [
                (1, TestCBOR.int(1)), (3, TestCBOR.int(-8)), (-1, TestCBOR.int(4)),
                (-2, TestCBOR.bytes(Array(repeating: 1, count: 32))),
            ],
            [
                (1, TestCBOR.int(3)), (3, TestCBOR.int(-257)),
                (-1, TestCBOR.bytes([0xC1] + Array(repeating: 1, count: 127))), (-2, TestCBOR.bytes([1, 0, 1])),
            ],
            [(1, TestCBOR.int(2)), (3, TestCBOR.int(-35)), (-1, TestCBOR.int(2))],
            [(1, TestCBOR.int(2))],
        ] as [[(Int, [UInt8])]])
    func keysOutsideTheOfferedAlgorithmsAreRefused(members: [(Int, [UInt8])]) {
        #expect(throws: COSEKey.Failure.self) {
            try COSEKey(cbor: TestCBOR.map(members.map { (TestCBOR.int($0.0), $0.1) }))
        }
    }
}
