import Foundation
import JWTKit
import TesseraCore

/// A `client_assertion` (RFC 7523 §2.2) taken apart, before anything in it is believed: the
/// JOSE header, the claims, and the bytes the signature covers.
///
/// Parsing checks only what does not depend on the client: the compact serialisation
/// (RFC 7515 §7.1), an accepted `alg`, and no header parameter that would let the assertion
/// choose its own key or rules. The key is chosen later, from the client's registered JWKS.
struct ClientAssertion: Sendable {
    /// Assertions longer than this are refused unread; a signed assertion is under 1 KiB
    /// (about 1.5 KiB with RS512-4096).
    static let maximumLength = 16 * 1024

    /// Header parameters that point at or embed a key (`jku`, `x5u`, `x5c`, `jwk`; RFC 8725
    /// §3.10) or demand extensions Tessera does not implement (`crit`, RFC 7515 §4.1.11).
    static let forbiddenHeaderParameters = ["jku", "x5u", "x5c", "jwk", "crit"]

    let algorithm: AssertionAlgorithm
    let kid: String?
    let claims: ClientAssertionClaims
    /// `BASE64URL(header) '.' BASE64URL(payload)`: what the signature signs.
    let signingInput: [UInt8]
    let signature: [UInt8]

    init(parsing token: String) throws(OAuthError) {
        let malformed = OAuthError.invalidClient("the client assertion is not a well-formed signed JWT")
        let bytes = Array(token.utf8)
        guard bytes.count <= Self.maximumLength else { throw malformed }
        let segments = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard segments.count == 3, let headerJSON = Self.base64URLDecode(segments[0]) else { throw malformed }

        let header: [String: JWTHeaderField]
        do {
            header = try JSONDecoder().decode([String: JWTHeaderField].self, from: Data(headerJSON))
        } catch {
            throw malformed
        }
        guard let alg = header["alg"]?.asString, let algorithm = AssertionAlgorithm(rawValue: alg) else {
            throw .invalidClient(
                "the client assertion's alg is not accepted; private_key_jwt takes \(AssertionAlgorithm.supportedNames)"
            )
        }
        if let name = Self.forbiddenHeaderParameters.first(where: { header[$0] != nil }) {
            throw .invalidClient("the client assertion's header carries the refused parameter '\(name)'")
        }
        let kid: String?
        switch header["kid"] {
        case nil: kid = nil
        case .string(let value)?: kid = value
        default: throw malformed
        }

        // Checked after the header, so that `alg: none` with its empty signature is refused
        // for what it is.
        guard let payloadJSON = Self.base64URLDecode(segments[1]),
            let signature = Self.base64URLDecode(segments[2]), !signature.isEmpty
        else { throw malformed }
        do {
            claims = try JSONDecoder().decode(ClientAssertionClaims.self, from: Data(payloadJSON))
        } catch {
            throw malformed
        }
        self.algorithm = algorithm
        self.kid = kid
        self.signingInput = Array(segments[0]) + [UInt8(ascii: ".")] + Array(segments[1])
        self.signature = signature
    }

    /// RFC 7515 §2: base64url without padding. Padding, `+`, `/` and whitespace are refused.
    static func base64URLDecode(_ segment: ArraySlice<UInt8>) -> [UInt8]? {
        let alphabetOnly = segment.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                true
            default: false
            }
        }
        guard !segment.isEmpty, alphabetOnly else { return nil }
        return Base64URL.decode(String(decoding: segment, as: UTF8.self))
    }
}
