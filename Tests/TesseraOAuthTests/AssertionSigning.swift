import Foundation
import JWTKit
import TesseraCore
import TesseraJOSE

/// A client's key pair for `private_key_jwt` tests: the public JWK the client registers and a
/// jwt-kit signer for the private half. Assertions are assembled by hand (RFC 7515 §7.1) so a
/// test can put anything in the header.
struct ClientKeyPair: Sendable {
    let kid: String
    let alg: String
    /// Compact public JWK with `kid`, `alg` and `use`, as `KeyGenerator` renders it.
    let publicJWK: String
    let signer: any JWTAlgorithm
    /// The private key of an RSA pair, to sign with other RSA algorithms.
    var rsaPrivateKey: Insecure.RSA.PrivateKey? = nil

    static func es256() async throws -> ClientKeyPair {
        let generated = try KeyGenerator.generate(.es256)
        let privateKey = try ES256PrivateKey(key: Base64URL.encode(generated.privateKey))
        return ClientKeyPair(
            kid: generated.kid, alg: "ES256", publicJWK: generated.publicJWK,
            signer: try await algorithm { await $0.add(ecdsa: privateKey, kid: $1) })
    }

    static func rs256() async throws -> ClientKeyPair {
        let generated = try KeyGenerator.generate(.rs256)
        let privateKey = try Insecure.RSA.PrivateKey(pem: pem(pkcs8: generated.privateKey))
        return ClientKeyPair(
            kid: generated.kid, alg: "RS256", publicJWK: generated.publicJWK,
            signer: try await algorithm { await $0.add(rsa: privateKey, digestAlgorithm: .sha256, kid: $1) },
            rsaPrivateKey: privateKey)
    }

    static func edDSA() async throws -> ClientKeyPair {
        let generated = try KeyGenerator.generate(.edDSA)
        let privateKey = try EdDSA.PrivateKey(d: Base64URL.encode(generated.privateKey), curve: .ed25519)
        return ClientKeyPair(
            kid: generated.kid, alg: "EdDSA", publicJWK: generated.publicJWK,
            signer: try await algorithm { await $0.add(eddsa: privateKey, kid: $1) })
    }

    /// The same key signing with another algorithm (for alg-confusion tests).
    func resigning(as alg: String, with signer: any JWTAlgorithm) -> ClientKeyPair {
        ClientKeyPair(kid: kid, alg: alg, publicJWK: publicJWK, signer: signer, rsaPrivateKey: rsaPrivateKey)
    }

    /// `{"keys":[...]}` of the given public JWKs.
    static func jwks(_ keys: ClientKeyPair...) -> String {
        "{\"keys\":[" + keys.map(\.publicJWK).joined(separator: ",") + "]}"
    }

    static func algorithm(
        _ add: @Sendable (JWTKeyCollection, JWKIdentifier) async -> Void
    ) async throws
        -> any JWTAlgorithm
    {
        let collection = JWTKeyCollection()
        let slot = JWKIdentifier(string: "test")
        await add(collection, slot)
        return try await collection.getKey(for: slot)
    }

    static func pem(pkcs8 der: [UInt8]) -> String {
        let base64 = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN PRIVATE KEY-----\n\(base64)\n-----END PRIVATE KEY-----\n"
    }

    /// The default header: `alg` and `kid`, as client libraries send them.
    var header: String { #"{"alg":"\#(alg)","kid":"\#(kid)","typ":"JWT"}"# }

    /// A compact JWS of `claims` under `header`, signed with this key.
    func sign(_ claims: AssertionClaims, header: String? = nil) throws -> String {
        let input = Base64URL.encode(Array((header ?? self.header).utf8)) + "." + Base64URL.encode(try claims.json())
        return input + "." + Base64URL.encode(try signer.sign(Array(input.utf8)))
    }
}

/// The claims of a client assertion (RFC 7523 §3); nil members are left out.
struct AssertionClaims: Encodable, Sendable {
    enum Audience: Encodable, Sendable {
        case one(String)
        case many([String])

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .one(let value): try container.encode(value)
            case .many(let values): try container.encode(values)
            }
        }
    }

    var iss: String?
    var sub: String?
    var aud: Audience?
    var exp: Double?
    var nbf: Double?
    var iat: Double?
    var jti: String?

    /// A well-formed assertion of `clientID` for the fixture's token endpoint, valid for a minute.
    static func valid(for clientID: String, now: Date = AuthenticationFixture.now) -> AssertionClaims {
        let now = now.timeIntervalSince1970
        return AssertionClaims(
            iss: clientID, sub: clientID, aud: .one(AuthenticationFixture.tokenEndpoint), exp: now + 60, nbf: nil,
            iat: now, jti: UUID().uuidString)
    }

    func json() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return Array(try encoder.encode(self))
    }
}

extension AuthenticationFixture {
    /// The body of a `private_key_jwt` request carrying `assertion`.
    static func assertionForm(_ assertion: String, clientID: String? = nil) -> String {
        var form =
            "grant_type=client_credentials"
            + "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
            + "&client_assertion=\(assertion)"
        if let clientID { form += "&client_id=\(formEncode(clientID))" }
        return form
    }
}
