import Foundation
import TesseraCore
import TesseraJOSE

/// What a page posts back after `navigator.credentials.create()` or `.get()`: the credential in
/// the JSON form of WebAuthn L3 §5.1 (`RegistrationResponseJSON`, `AuthenticationResponseJSON`),
/// every binary member base64url. Read with the one strict JSON reader; anything malformed is a
/// refusal, not a guess.
struct PasskeyResponse: Sendable {
    let credentialID: [UInt8]
    let clientData: [UInt8]
    /// Registration only.
    let attestationObject: [UInt8]?
    let transports: [String]
    /// Authentication only.
    let authenticatorData: [UInt8]?
    let signature: [UInt8]?
    let userHandle: [UInt8]?

    /// Far above any real answer (an RSA key's attestation is under 1 KiB), far below harm.
    static let maximumLength = 16_384

    init(json text: String) throws(PasskeyRelyingParty.Refusal) {
        let bytes = Array(text.utf8)
        guard bytes.count <= Self.maximumLength else { throw .init("the credential is too large") }
        do {
            let object = try JSONReader.object(bytes)
            guard try object.string("type") == "public-key" else { throw PasskeyRelyingParty.Refusal("type") }
            let id = try Self.binary(object.string("id"), "id")
            if let rawID = try object.optionalString("rawId") {
                guard try Self.binary(rawID, "rawId") == id else {
                    throw PasskeyRelyingParty.Refusal("rawId is not id")
                }
            }
            guard let response = try object.optionalObject("response") else {
                throw PasskeyRelyingParty.Refusal("no response")
            }
            credentialID = id
            clientData = try Self.binary(response.string("clientDataJSON"), "clientDataJSON")
            attestationObject = try response.optionalString("attestationObject").map {
                value throws(PasskeyRelyingParty.Refusal) in
                try Self.binary(value, "attestationObject")
            }
            authenticatorData = try response.optionalString("authenticatorData").map {
                value throws(PasskeyRelyingParty.Refusal) in
                try Self.binary(value, "authenticatorData")
            }
            signature = try response.optionalString("signature").map { value throws(PasskeyRelyingParty.Refusal) in
                try Self.binary(value, "signature")
            }
            userHandle = try response.optionalString("userHandle").map { value throws(PasskeyRelyingParty.Refusal) in
                try Self.binary(value, "userHandle")
            }
            var transports: [String] = []
            if case .array(let values)? = response["transports"] {
                for case .string(let value) in values.prefix(8)
                where value.utf8.count <= 32
                    && value.allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "-") })
                {
                    transports.append(value)
                }
            }
            self.transports = transports
        } catch let refusal as PasskeyRelyingParty.Refusal {
            throw refusal
        } catch let failure as JSONReader.Failure {
            throw .init("credential: \(failure.reason)")
        } catch {
            throw .init("credential: unreadable")
        }
    }

    static func binary(_ text: String, _ name: String) throws(PasskeyRelyingParty.Refusal) -> [UInt8] {
        guard let bytes = Base64URL.decode(text), !bytes.isEmpty else { throw .init("\(name) is not base64url") }
        return bytes
    }
}
