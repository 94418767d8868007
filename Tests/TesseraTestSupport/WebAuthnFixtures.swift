import Crypto
import Foundation
import TesseraCore
import _CryptoExtras

/// A small CBOR writer for the tests' own fixtures (the server only reads CBOR).
public enum TestCBOR {
    public static func head(_ major: UInt8, _ value: UInt64) -> [UInt8] {
        switch value {
        case 0..<24: return [major << 5 | UInt8(value)]
        case 24..<256: return [major << 5 | 24, UInt8(value)]
        case 256..<65_536: return [major << 5 | 25, UInt8(value >> 8), UInt8(value & 0xFF)]
        default: return [major << 5 | 26] + (0..<4).reversed().map { UInt8((value >> (8 * UInt64($0))) & 0xFF) }
        }
    }

    public static func int(_ value: Int) -> [UInt8] {
        value >= 0 ? head(0, UInt64(value)) : head(1, UInt64(-1 - value))
    }
    public static func bytes(_ value: [UInt8]) -> [UInt8] { head(2, UInt64(value.count)) + value }
    public static func text(_ value: String) -> [UInt8] { head(3, UInt64(value.utf8.count)) + Array(value.utf8) }
    public static func map(_ members: [([UInt8], [UInt8])]) -> [UInt8] {
        head(5, UInt64(members.count)) + members.flatMap { $0.0 + $0.1 }
    }
}

public enum COSETestKeys {
    public struct Key: Sendable {
        public let encoded: [UInt8]
        public let sign: @Sendable ([UInt8]) throws -> [UInt8]
    }

    public static func es256() -> Key {
        let key = P256.Signing.PrivateKey()
        let raw = Array(key.publicKey.rawRepresentation)
        return Key(
            encoded: TestCBOR.map([
                (TestCBOR.int(1), TestCBOR.int(2)), (TestCBOR.int(3), TestCBOR.int(-7)),
                (TestCBOR.int(-1), TestCBOR.int(1)),
                (TestCBOR.int(-2), TestCBOR.bytes(Array(raw[0..<32]))),
                (TestCBOR.int(-3), TestCBOR.bytes(Array(raw[32...]))),
            ]), sign: { Array(try key.signature(for: $0).derRepresentation) })
    }

    public static func ed25519() -> Key {
        let key = Curve25519.Signing.PrivateKey()
        return Key(
            encoded: TestCBOR.map([
                (TestCBOR.int(1), TestCBOR.int(1)), (TestCBOR.int(3), TestCBOR.int(-8)),
                (TestCBOR.int(-1), TestCBOR.int(6)),
                (TestCBOR.int(-2), TestCBOR.bytes(Array(key.publicKey.rawRepresentation))),
            ]), sign: { Array(try key.signature(for: $0)) })
    }

    public static func rs256() throws -> Key {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let components = try key.publicKey.getKeyPrimitives()
        return Key(
            encoded: TestCBOR.map([
                (TestCBOR.int(1), TestCBOR.int(3)), (TestCBOR.int(3), TestCBOR.int(-257)),
                (TestCBOR.int(-1), TestCBOR.bytes(Array(components.modulus))),
                (TestCBOR.int(-2), TestCBOR.bytes(Array(components.publicExponent))),
            ]), sign: { Array(try key.signature(for: $0, padding: .insecurePKCS1v1_5).rawRepresentation) })
    }
}

/// A software authenticator for unit tests of the ceremonies: it builds the client data,
/// authenticator data and attestation objects of WebAuthn L3 §6 byte by byte, so each test can
/// get one thing wrong. (The end-to-end tests use python-fido2 and Chromium instead.)
public struct TestAuthenticator: Sendable {
    public enum Flag {
        public static let userPresent: UInt8 = 0x01
        public static let userVerified: UInt8 = 0x04
        public static let backupEligible: UInt8 = 0x08
        public static let backedUp: UInt8 = 0x10
        public static let attested: UInt8 = 0x40
        public static let extensions: UInt8 = 0x80
        public static let usual = userPresent | userVerified | backupEligible | backedUp
    }

    public let key: COSETestKeys.Key
    public let credentialID: [UInt8]
    public var counter: UInt32 = 0
    public var userHandle: [UInt8]?

    public init(_ key: COSETestKeys.Key = COSETestKeys.es256(), credentialID: [UInt8]? = nil) {
        self.key = key
        self.credentialID = credentialID ?? (0..<32).map { _ in UInt8.random(in: 0...255) }
    }

    public static func clientData(type: String, challenge: String, origin: String, extra: String = "") -> [UInt8] {
        Array(
            #"{"type":"\#(type)","challenge":"\#(challenge)","origin":"\#(origin)","crossOrigin":false\#(extra)}"#.utf8)
    }

    public func authenticatorData(
        rpID: String, flags: UInt8, counter: UInt32, attested: Bool = false, extensions: [UInt8]? = nil
    ) -> [UInt8] {
        var data = Array(SHA256.hash(data: Array(rpID.utf8)))
        data.append(flags | (attested ? Flag.attested : 0) | (extensions == nil ? 0 : Flag.extensions))
        data += [
            UInt8(counter >> 24), UInt8((counter >> 16) & 0xFF), UInt8((counter >> 8) & 0xFF), UInt8(counter & 0xFF),
        ]
        if attested {
            data += [UInt8](repeating: 0, count: 16)
            data += [UInt8(credentialID.count >> 8), UInt8(credentialID.count & 0xFF)] + credentialID + key.encoded
        }
        return data + (extensions ?? [])
    }

    /// A `RegistrationResponseJSON` for `challenge` (the base64url text of the options).
    public func registration(
        challenge: String, rpID: String, origin: String, flags: UInt8 = Flag.usual, format: String = "none",
        statement: [UInt8] = TestCBOR.map([]), authenticatorData: [UInt8]? = nil, clientData: [UInt8]? = nil
    ) -> String {
        let attestation = TestCBOR.map([
            (TestCBOR.text("fmt"), TestCBOR.text(format)), (TestCBOR.text("attStmt"), statement),
            (
                TestCBOR.text("authData"),
                TestCBOR.bytes(
                    authenticatorData
                        ?? self.authenticatorData(rpID: rpID, flags: flags, counter: counter, attested: true))
            ),
        ])
        let client = clientData ?? Self.clientData(type: "webauthn.create", challenge: challenge, origin: origin)
        return Self.json(
            id: credentialID,
            response:
                #""clientDataJSON":"\#(Base64URL.encode(client))","attestationObject":"\#(Base64URL.encode(attestation))","transports":["internal"]"#
        )
    }

    /// An `AuthenticationResponseJSON`; the counter moves on unless one is given.
    public mutating func assertion(
        challenge: String, rpID: String, origin: String, flags: UInt8 = Flag.usual, counter: UInt32? = nil,
        userHandle: [UInt8]? = nil, clientData: [UInt8]? = nil, extensions: [UInt8]? = nil
    ) throws -> String {
        if counter == nil { self.counter += 1 }
        let data = authenticatorData(rpID: rpID, flags: flags, counter: counter ?? self.counter, extensions: extensions)
        let client = clientData ?? Self.clientData(type: "webauthn.get", challenge: challenge, origin: origin)
        let signature = try key.sign(data + Array(SHA256.hash(data: client)))
        let handle = (userHandle ?? self.userHandle).map { #""\#(Base64URL.encode($0))""# } ?? "null"
        return Self.json(
            id: credentialID,
            response:
                #""clientDataJSON":"\#(Base64URL.encode(client))","authenticatorData":"\#(Base64URL.encode(data))","signature":"\#(Base64URL.encode(signature))","userHandle":\#(handle)"#
        )
    }

    static func json(id: [UInt8], response: String) -> String {
        let encoded = Base64URL.encode(id)
        return
            #"{"id":"\#(encoded)","rawId":"\#(encoded)","type":"public-key","clientExtensionResults":{},"response":{\#(response)}}"#
    }
}
