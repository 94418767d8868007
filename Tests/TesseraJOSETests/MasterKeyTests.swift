import Foundation
import TesseraCore
import Testing

@testable import TesseraJOSE

@Suite struct MasterKeyTests {
    @Test func generatedKeyRoundTripsThroughItsBase64URLText() throws {
        let key = MasterKey.generate()
        let text = key.base64URL
        #expect(text.count == 43)
        #expect(Base64URL.decode(text)?.count == 32)
        #expect(try MasterKey(base64URL: text).base64URL == text)
    }

    @Test func twoGeneratedKeysDiffer() {
        #expect(MasterKey.generate().base64URL != MasterKey.generate().base64URL)
    }

    @Test(arguments: [16, 31, 33, 64])
    func keyOfWrongLengthIsRefused(length: Int) {
        let text = Base64URL.encode([UInt8](repeating: 7, count: length))
        #expect(throws: KeyError.invalidMasterKey(reason: "decodes to \(length) bytes, expected 32")) {
            try MasterKey(base64URL: text)
        }
    }

    @Test(arguments: [
        "", "not base64url!", String(repeating: "A", count: 43) + "=", "a+b/" + String(repeating: "A", count: 39),
    ])
    func textThatIsNotBase64URLIsRefused(text: String) {
        #expect {
            try MasterKey(base64URL: text)
        } throws: { error in
            guard case KeyError.invalidMasterKey = error else { return false }
            return true
        }
    }

    @Test func keyFileIsReadWithSurroundingWhitespaceIgnored() throws {
        let key = MasterKey.generate()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("master-\(UUID()).key").path
        try "  \(key.base64URL)\n\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try MasterKey(contentsOfFile: path).base64URL == key.base64URL)
    }

    @Test func missingKeyFileIsAClearError() {
        let path = "/nonexistent/tessera-\(UUID()).key"
        #expect {
            try MasterKey(contentsOfFile: path)
        } throws: { error in
            guard case KeyError.masterKeyFileUnreadable(let reportedPath, _) = error else { return false }
            return reportedPath == path
        }
    }

    @Test func keyFileWithBadContentNamesTheFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID()).key").path
        try "c2hvcnQ".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try MasterKey(contentsOfFile: path)
        } throws: { error in
            guard case KeyError.masterKeyFileUnreadable(let reportedPath, let reason) = error else { return false }
            return reportedPath == path && reason.contains("bytes")
        }
    }

    @Test func masterKeyNeverPrintsItsBytes() {
        let key = MasterKey.generate()
        var dumped = ""
        dump(key, to: &dumped)
        for rendering in ["\(key)", String(describing: key), String(reflecting: key), dumped] {
            #expect(rendering.contains("redacted") || rendering.contains("MasterKey"))
            #expect(!rendering.contains(key.base64URL))
        }
        #expect("\(key)" == "MasterKey(redacted)")
    }
}

@Suite struct KeySealingTests {
    let tenantID = UUID()
    let kid = "kid-1"
    let secret: [UInt8] = Array(0..<32)

    @Test func sealedKeyOpensToTheSameBytes() throws {
        let master = MasterKey.generate()
        let sealed = try master.seal(secret, tenantID: tenantID, kid: kid)
        #expect(try master.open(sealed, tenantID: tenantID, kid: kid) == secret)
    }

    @Test func sealedFormIsVersionNonceCiphertextTag() throws {
        let sealed = try MasterKey.generate().seal(secret, tenantID: tenantID, kid: kid)
        #expect(sealed.count == 1 + 12 + secret.count + 16)
        #expect(sealed.first == 1)
        #expect(Array(sealed[13..<45]) != secret)
    }

    @Test func sealingTwiceUsesFreshNonces() throws {
        let master = MasterKey.generate()
        let first = try master.seal(secret, tenantID: tenantID, kid: kid)
        let second = try master.seal(secret, tenantID: tenantID, kid: kid)
        #expect(first != second)
        #expect(first[1..<13] != second[1..<13])
    }

    @Test func wrongMasterKeyCannotDecrypt() throws {
        let sealed = try MasterKey.generate().seal(secret, tenantID: tenantID, kid: kid)
        #expect(throws: KeyError.cannotDecrypt(kid: kid)) {
            try MasterKey.generate().open(sealed, tenantID: tenantID, kid: kid)
        }
    }

    @Test func keyOfAnotherTenantCannotDecrypt() throws {
        let master = MasterKey.generate()
        let sealed = try master.seal(secret, tenantID: tenantID, kid: kid)
        #expect(throws: KeyError.cannotDecrypt(kid: kid)) {
            try master.open(sealed, tenantID: UUID(), kid: kid)
        }
    }

    @Test func keyUnderAnotherKidCannotDecrypt() throws {
        let master = MasterKey.generate()
        let sealed = try master.seal(secret, tenantID: tenantID, kid: kid)
        #expect(throws: KeyError.cannotDecrypt(kid: "kid-2")) {
            try master.open(sealed, tenantID: tenantID, kid: "kid-2")
        }
    }

    @Test func associatedDataNamesTenantInLowercaseAndKid() throws {
        let id = try #require(UUID(uuidString: "6F9619FF-8B86-D011-B42D-00C04FC964FF"))
        #expect(
            KeySealer.associatedData(tenantID: id, kid: "abc")
                == Array("tessera-key-v1|6f9619ff-8b86-d011-b42d-00c04fc964ff|abc".utf8))
    }

    @Test(arguments: [0, 1, 12, 20, 44, 59])
    func alteredByteCannotDecrypt(position: Int) throws {
        let master = MasterKey.generate()
        var sealed = try master.seal(secret, tenantID: tenantID, kid: kid)
        sealed[position] ^= 0x01
        #expect(throws: KeyError.cannotDecrypt(kid: kid)) {
            try master.open(sealed, tenantID: tenantID, kid: kid)
        }
    }

    @Test(arguments: [0, 1, 28, 59])
    func truncatedSealCannotDecrypt(length: Int) throws {
        let master = MasterKey.generate()
        let sealed = try master.seal(secret, tenantID: tenantID, kid: kid)
        #expect(throws: KeyError.cannotDecrypt(kid: kid)) {
            try master.open(Array(sealed.prefix(length)), tenantID: tenantID, kid: kid)
        }
    }
}

/// A master key set (docs/master-key-change.md): the sealing key seals, accepted keys only open.
@Suite struct MasterKeySetTests {
    let tenant = UUID()

    @Test func aSetOpensWhatEitherKeySealedAndSealsWithItsFirst() throws {
        let old = MasterKey.generate()
        let new = MasterKey.generate()
        let set = new.accepting([old])
        let byOld = try old.seal([1, 2, 3], tenantID: tenant, kid: "k")
        let byNew = try new.seal([4, 5], tenantID: tenant, kid: "k")
        #expect(try set.open(byOld, tenantID: tenant, kid: "k") == [1, 2, 3])
        #expect(try set.open(byNew, tenantID: tenant, kid: "k") == [4, 5])
        // What the set seals opens with its sealing key alone, not with the accepted one.
        let bySet = try set.seal([6], tenantID: tenant, kid: "k")
        #expect(try new.open(bySet, tenantID: tenant, kid: "k") == [6])
        #expect(throws: KeyError.cannotDecrypt(kid: "k")) { try old.open(bySet, tenantID: tenant, kid: "k") }
        // The sealing key alone no longer opens what only the accepted key sealed.
        #expect(throws: KeyError.cannotDecrypt(kid: "k")) {
            try set.sealingOnly.open(byOld, tenantID: tenant, kid: "k")
        }
    }

    @Test func whatNoKeyOfTheSetSealedStaysClosed() throws {
        let stranger = try MasterKey.generate().seal([9], tenantID: tenant, kid: "k")
        let set = MasterKey.generate().accepting([MasterKey.generate()])
        #expect(throws: KeyError.cannotDecrypt(kid: "k")) { try set.open(stranger, tenantID: tenant, kid: "k") }
    }

    @Test func derivedKeysComeSealingKeyFirstAndDuplicatesAreDropped() {
        let key = MasterKey.generate()
        let other = MasterKey.generate()
        let set = key.accepting([key, other])
        #expect(set.acceptedCount == 1)
        let derived = set.derivedKeys(purpose: "p")
        #expect(derived.count == 2)
        #expect(derived[0] == key.derivedKey(purpose: "p"))
        #expect(derived[1] == other.derivedKey(purpose: "p"))
        #expect("\(set)" == "MasterKey(redacted)")
    }
}
