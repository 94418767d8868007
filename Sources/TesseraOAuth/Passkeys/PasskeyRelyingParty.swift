import Crypto
import Foundation
import TesseraCore
import TesseraJOSE

/// The WebAuthn Relying Party checks (WebAuthn L3 §7.1 and §7.2) that do not need the store:
/// client data, authenticator data, attestation and signature. The RP id is the host of the
/// server's public URL and the one origin accepted is that URL's, so a passkey works only on
/// the site it was made for: a phishing page at another origin gets assertions that fail here.
public struct PasskeyRelyingParty: Sendable {
    /// WebAuthn L3 §5.1.2 RP id: the public URL's host, shared by every tenant of this server.
    public let id: String
    /// The origin browsers report for our pages (RFC 6454 serialization: no default port).
    public let origin: String
    /// Whether browsers take the RP id at all: a domain (`localhost` included), never an IP
    /// address (WebAuthn L3 §5.1.2 requires a valid domain string). At an address, such as the
    /// default `http://127.0.0.1:8080`, no page offers passkeys.
    public let isUsable: Bool
    let idHash: [UInt8]

    public init(publicURL: PublicURL) {
        let components = URLComponents(string: publicURL.rawValue)
        let scheme = components?.scheme?.lowercased() ?? "https"
        let host = components?.host?.lowercased() ?? ""
        var origin = "\(scheme)://\(host)"
        if let port = components?.port, !(scheme == "https" && port == 443), !(scheme == "http" && port == 80) {
            origin += ":\(port)"
        }
        self.id = host
        self.origin = origin
        self.isUsable = !host.isEmpty && !host.contains(":") && !host.allSatisfy { $0.isNumber || $0 == "." }
        self.idHash = Array(SHA256.hash(data: Array(host.utf8)))
    }

    /// Why a ceremony's answer was refused; for the audit log, never shown to a page as such.
    public struct Refusal: Error, Equatable, Sendable, CustomStringConvertible {
        public let reason: String
        public init(_ reason: String) { self.reason = reason }
        public var description: String { reason }
    }

    public enum Ceremony: String, Sendable, Codable {
        case registration = "webauthn.create"
        case authentication = "webauthn.get"
    }

    /// WebAuthn L3 §5.8.1 client data, steps 7-12 of §7.1 and 10-15 of §7.2: its type, the
    /// challenge we sealed, our origin, and no cross-origin iframe. The challenge is compared as
    /// the base64url text the browser wrote, which is how it came to it.
    public func checkClientData(_ bytes: [UInt8], ceremony: Ceremony) throws(Refusal) -> String {
        let object: JSONObject
        let type: String
        let challenge: String
        let origin: String
        do {
            object = try JSONReader.object(bytes)
            type = try object.string("type")
            challenge = try object.string("challenge")
            origin = try object.string("origin")
        } catch {
            throw Refusal("client data: \(error.reason)")
        }
        guard type == ceremony.rawValue else { throw Refusal("client data type \(type)") }
        guard origin == self.origin else { throw Refusal("origin \(origin), expected \(self.origin)") }
        switch object["crossOrigin"] {
        case nil, .bool(false)?, .null?: break
        default: throw Refusal("a cross-origin ceremony")
        }
        if object["topOrigin"] != nil { throw Refusal("a ceremony in a frame (topOrigin)") }
        return challenge
    }

    /// The checks of authenticator data common to both ceremonies (§7.1 steps 13-18, §7.2
    /// steps 15-19): our RP id hash, the user present, verified when policy says so, and the
    /// backup flags consistent (§6.1: BS without BE is invalid).
    public func checkAuthenticatorData(
        _ data: AuthenticatorData, userVerification: PasskeyUserVerification
    ) throws(Refusal) {
        guard ConstantTime.equals(data.rpIDHash, idHash) else { throw Refusal("the RP id hash is not ours") }
        guard data.flags.userPresent else { throw Refusal("the user was not present") }
        if userVerification == .required, !data.flags.userVerified {
            throw Refusal("the user was not verified")
        }
        if data.flags.backedUp, !data.flags.backupEligible { throw Refusal("backed up but not backup eligible") }
    }

    /// A registration's attestation object (§6.5.4): `none` attestation only, as the options
    /// ask (`attestation: "none"`); Tessera makes no claims about authenticator makes, so a
    /// statement it would not check is refused rather than carried unexamined.
    public func readAttestation(_ bytes: [UInt8]) throws(Refusal) -> AuthenticatorData {
        let object: CBORValue
        do {
            object = try CBOR.decode(bytes)
        } catch {
            throw Refusal("attestation object: \(error.description)")
        }
        guard case .map(let members) = object, members.count == 3, case .text(let format)? = object["fmt"],
            case .map(let statement)? = object["attStmt"], case .bytes(let authData)? = object["authData"]
        else { throw Refusal("attestation object lacks fmt, attStmt or authData") }
        guard format == "none", statement.isEmpty else { throw Refusal("attestation format \(format)") }
        let data: AuthenticatorData
        do {
            data = try AuthenticatorData(authData)
        } catch {
            throw Refusal("authenticator data: \(error.description)")
        }
        guard data.attestedCredential != nil else { throw Refusal("no attested credential data") }
        return data
    }

    /// §7.2 steps 20-21: the signature over the authenticator data and the client data's hash.
    public func checkSignature(
        _ signature: [UInt8], authenticatorData: [UInt8], clientData: [UInt8], key: COSEKey
    ) throws(Refusal) {
        let signed = authenticatorData + Array(SHA256.hash(data: clientData))
        guard key.isValidSignature(signature, for: signed) else { throw Refusal("the signature does not verify") }
    }
}
