import Foundation
import Testing

@testable import TesseraJOSE

/// `JSONReader` reads what `JSONSerialization` reads, and refuses what RFC 8259 refuses, plus the
/// two things it refuses on purpose (repeated names, absurd nesting).
@Suite struct JSONReaderTests {
    /// The reader's value as Foundation's plain objects, to compare with `JSONSerialization`.
    func plain(_ value: JSONValue) -> NSObject {
        switch value {
        case .string(let string): string as NSString
        case .integer(let int): NSNumber(value: int)
        case .number(let double): NSNumber(value: double)
        case .bool(let bool): NSNumber(value: bool)
        case .null: NSNull()
        case .array(let values): values.map(plain) as NSArray
        case .object(let object): plain(object)
        }
    }

    func plain(_ object: JSONObject) -> NSDictionary {
        NSDictionary(dictionary: Dictionary(uniqueKeysWithValues: object.members.map { ($0.0, plain($0.1)) }))
    }

    @Test(arguments: [
        #"{}"#,
        #" { "a" : 1 , "b" : [ ] , "c" : { } } "#,
        #"{"iss":"https://auth.example.com/t/acme","exp":1800000600,"aud":["a","b/c"],"x":null,"t":true,"f":false}"#,
        #"{"n":[0,-0,-12,3.25,1e3,1E-2,-2.5e+10,123456789012345678,1234567890123456789012]}"#,
        #"{"s":"quote \" backslash \\ slash \/ controls \b\f\n\r\t"}"#,
        #"{"u":"\u00e9\u2713 \ud83d\ude00 é✓😀","nul":"a\u0000b"}"#,
        #"{"nested":{"act":{"sub":"a","act":{"sub":"b"}}}}"#,
        "{\"ws\":\t[1,\r\n2]}",
    ])
    func readsWhatJSONSerializationReads(json: String) throws {
        let ours = try JSONReader.object(Array(json.utf8))
        let theirs = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? NSDictionary)
        #expect(plain(ours) == theirs)
    }

    @Test(arguments: [
        "", " ", "[]", "1", #""a""#, "null", "{", "}", #"{"a"}"#, #"{"a":}"#, #"{"a":1,}"#, #"{,}"#, #"{"a":1 "b":2}"#,
        #"{a:1}"#, #"{'a':1}"#, #"{"a":01}"#, #"{"a":1.}"#, #"{"a":.5}"#, #"{"a":1e}"#, #"{"a":+1}"#, #"{"a":-}"#,
        #"{"a":tru}"#, #"{"a":nul}"#, #"{"a":True}"#, #"{"a":[1,]}"#, #"{"a":[1 2]}"#, #"{} {}"#, #"{}x"#,
        #"{"a":"\x"}"#, #"{"a":"\u12"}"#, #"{"a":"\ud83d"}"#, #"{"a":"\ude00"}"#, #"{"a":"\ud83d\u0041"}"#,
        "{\"a\":\"tab\there\"}", "{\"a\":\"line\nbreak\"}", #"{"a":"unterminated}"#, #"{"a":1e999}"#,
        "{\"a\":1} // comment",
    ])
    func refusesWhatRFC8259Refuses(json: String) {
        #expect(throws: JSONReader.Failure.self) { try JSONReader.object(Array(json.utf8)) }
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: JSONReader.Failure.self) { try JSONReader.object([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]) }
        #expect(throws: JSONReader.Failure.self) {
            try JSONReader.object(Array(#"{"a":""#.utf8) + [0xC3] + Array(#""}"#.utf8))
        }
    }

    /// RFC 7515 §4: a JWS parser may refuse repeated header names; we refuse them in claims too,
    /// so no reader of a token can see a different value than we did.
    @Test func refusesARepeatedMemberName() {
        #expect(throws: JSONReader.Failure.self) { try JSONReader.object(Array(#"{"alg":"ES256","alg":"none"}"#.utf8)) }
        #expect(throws: JSONReader.Failure.self) { try JSONReader.object(Array(#"{"a":{"b":1,"b":2}}"#.utf8)) }
    }

    @Test func refusesDeepNestingAndHugeObjects() {
        let deep = #"{"a":"# + String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000) + "}"
        #expect(throws: JSONReader.Failure.self) { try JSONReader.object(Array(deep.utf8)) }
        let wide = "{" + (0...JSONReader.maximumMembers).map { #""m\#($0)":0"# }.joined(separator: ",") + "}"
        #expect(throws: JSONReader.Failure.self) { try JSONReader.object(Array(wide.utf8)) }
    }

    @Test func integersAreExactAndOtherNumbersAreDoubles() throws {
        let object = try JSONReader.object(Array(#"{"i":1800000600,"f":1.5,"e":1e3,"big":12345678901234567890}"#.utf8))
        #expect(object["i"] == .integer(1_800_000_600))
        #expect(try object.integer("e") == 1000)
        #expect(throws: JSONReader.Failure.self) { try object.integer("f") }
        #expect(try object.optionalNumber("f") == 1.5)
        #expect(throws: JSONReader.Failure.self) { try object.integer("big") }
        #expect(try object.optionalInteger("missing") == nil)
    }

    /// What was read is written back the same (audit details pass through the admin API so).
    @Test func aValueReadIsWrittenBackTheSame() throws {
        let text = #"{"name":["Orders \"app\""],"n":3,"ok":true,"nothing":null,"f":1.5,"o":{"k":"v"}}"#
        let object = try JSONReader.object(Array(text.utf8))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let written = try JSONReader.object(Array(try encoder.encode(object)))
        // Member order is the encoder's to choose; names and values are not.
        let sorted = { (object: JSONObject) in object.members.sorted { $0.0 < $1.0 } }
        #expect(sorted(written).map(\.0) == sorted(object).map(\.0))
        #expect(zip(sorted(written), sorted(object)).allSatisfy { $0.1 == $1.1 })
    }
}
