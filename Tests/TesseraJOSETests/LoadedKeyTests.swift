import Foundation
import JWTKit
import TesseraCore
import Testing

@testable import TesseraJOSE

@Suite struct LoadedKeyTests {
    let master = MasterKey.generate()
    let tenantID = UUID()

    func record(_ key: GeneratedKey, state: KeyState = .current) throws -> SigningKeyRecord {
        try key.record(tenantID: tenantID, state: state, now: Fixture.now, masterKey: master)
    }

    @Test(arguments: SigningAlgorithm.allCases)
    func storedKeyLoadsAndCanSign(algorithm: SigningAlgorithm) async throws {
        let key = try await LoadedKey(record: try record(try KeyGenerator.generate(algorithm)), masterKey: master)
        #expect(key.canSign)
        #expect(key.algorithm == algorithm)
    }

    @Test(arguments: [SigningAlgorithm.es256, .edDSA, .rs256])
    func keyWithoutPrivatePartLoadsVerifyOnlyFromItsJWK(algorithm: SigningAlgorithm) async throws {
        var stored = try record(try KeyGenerator.generate(algorithm), state: .previous)
        stored.sealedPrivateKey = nil
        let key = try await LoadedKey(record: stored, masterKey: master)
        #expect(!key.canSign)
        #expect(throws: KeyError.missingPrivateKey(kid: stored.kid)) {
            try key.sign(Fixture.claims(), type: "at+jwt")
        }
    }

    @Test func verifyOnlyKeyVerifiesWhatItsPrivateTwinSigned() async throws {
        let full = try record(try KeyGenerator.generate(.es256), state: .previous)
        let signer = try await LoadedKey(record: full, masterKey: master)
        var publicOnly = full
        publicOnly.sealedPrivateKey = nil
        let verifier = try await LoadedKey(record: publicOnly, masterKey: master)
        let token = try signer.sign(Fixture.claims(), type: "at+jwt")
        let parts = token.split(separator: ".")
        let signature = try #require(Base64URL.decode(String(parts[2])))
        let input = Array(token.utf8.prefix(parts[0].count + 1 + parts[1].count))
        #expect(verifier.verify(signature: signature, signs: input[...]))
        // And jwt-kit, given only the published JWK, agrees: the direct P256 path writes the
        // JWS signature form every library reads.
        let jwk = try PublicJWK(json: publicOnly.publicJWK).requiredMembers
        let collection = JWTKeyCollection()
        await collection.add(
            ecdsa: try ES256PublicKey(parameters: (x: try #require(jwk["x"]), y: try #require(jwk["y"]))),
            kid: JWKIdentifier(string: publicOnly.kid))
        let algorithm = try await collection.getKey(for: JWKIdentifier(string: publicOnly.kid))
        #expect(try algorithm.verify(signature, signs: input))
    }

    @Test func privatePartOfAnotherKeyIsAMismatch() async throws {
        let published = try KeyGenerator.generate(.es256)
        let other = try KeyGenerator.generate(.es256)
        var stored = try record(published)
        stored.sealedPrivateKey = try master.seal(other.privateKey, tenantID: tenantID, kid: published.kid)
        await #expect(throws: KeyError.keyMismatch(kid: published.kid)) {
            try await LoadedKey(record: stored, masterKey: master)
        }
    }

    @Test func jwkNamingAnotherKidIsAMismatch() async throws {
        let key = try KeyGenerator.generate(.edDSA)
        let original = try record(key)
        let stored = SigningKeyRecord(
            tenantID: tenantID, kid: "renamed", algorithm: .edDSA, state: .current, publicJWK: original.publicJWK,
            sealedPrivateKey: try master.seal(key.privateKey, tenantID: tenantID, kid: "renamed"),
            createdAt: Fixture.now)
        await #expect(throws: KeyError.keyMismatch(kid: "renamed")) {
            try await LoadedKey(record: stored, masterKey: master)
        }
    }

    @Test func keyOfAnotherAlgorithmThanTheRecordSaysIsRefused() async throws {
        let key = try KeyGenerator.generate(.edDSA)
        let original = try record(key)
        let stored = SigningKeyRecord(
            tenantID: tenantID, kid: key.kid, algorithm: .es256, state: .previous, publicJWK: original.publicJWK,
            sealedPrivateKey: nil, createdAt: Fixture.now)
        await #expect {
            try await LoadedKey(record: stored, masterKey: master)
        } throws: { error in
            guard case KeyError.invalidPublicJWK(let kid, _) = error else { return false }
            return kid == key.kid
        }
    }

    @Test func wrongMasterKeyCannotLoadTheKey() async throws {
        let stored = try record(try KeyGenerator.generate(.es256))
        await #expect(throws: KeyError.cannotDecrypt(kid: stored.kid)) {
            try await LoadedKey(record: stored, masterKey: MasterKey.generate())
        }
    }

    @Test func hs256KeyWithoutItsSecretCannotLoad() async throws {
        var stored = try record(try KeyGenerator.generate(.hs256), state: .previous)
        stored.sealedPrivateKey = nil
        await #expect(throws: KeyError.missingPrivateKey(kid: stored.kid)) {
            try await LoadedKey(record: stored, masterKey: master)
        }
    }

    @Test func garbageInsideAValidSealIsAnInvalidPrivateKey() async throws {
        let key = try KeyGenerator.generate(.rs256)
        var stored = try record(key)
        stored.sealedPrivateKey = try master.seal([1, 2, 3], tenantID: tenantID, kid: key.kid)
        await #expect {
            try await LoadedKey(record: stored, masterKey: master)
        } throws: { error in
            guard case KeyError.invalidPrivateKey(let kid, _) = error else { return false }
            return kid == key.kid
        }
    }

    @Test func preparedHeaderIsExactlyAlgKidTyp() async throws {
        let key = try await LoadedKey(record: try record(try KeyGenerator.generate(.es256)), masterKey: master)
        for type in ["at+jwt", "JWT", "logout+jwt"] {
            let header = String(
                decoding: Base64URL.decode(String(decoding: try key.encodedHeader(type: type), as: UTF8.self)) ?? [],
                as: UTF8.self)
            #expect(header == #"{"alg":"ES256","kid":"\#(key.kid)","typ":"\#(type)"}"#)
        }
    }
}
