import TesseraCore

/// A compact JWS (RFC 7515 §7.1) taken apart before anything in it is believed: the one parser
/// every JWT the server receives goes through (access tokens, client assertions now; DPoP
/// proofs, request objects and logout tokens next), so each kind refuses the same header tricks.
///
/// Parsing checks what holds for every use:
/// - three base64url segments, strictly encoded (RFC 7515 §2), at most `maximumLength` bytes;
/// - a header that is one strict JSON object (`JSONReader`: a repeated member is malformed);
/// - `alg` present, and never `none` (RFC 8725 §3.1);
/// - `kid` and `typ`, when present, strings (RFC 7515 §4.1.4, §4.1.9);
/// - none of the members that let a token choose its own key or rules: `jku`, `x5u`, `x5c`,
///   `jwk` (RFC 8725 §3.10) and `crit` (RFC 7515 §4.1.11; no extension is implemented), present
///   at all, even as `null`. A use that needs one of them (DPoP carries its key in `jwk`,
///   RFC 9449 §4.2) names it in `allowing`;
/// - a signature that is not empty.
///
/// What depends on the use (which algorithms, which key, which `typ`) is the caller's; the
/// payload is decoded only when asked for, after the caller verified the signature.
public struct CompactJWS: Sendable {
    /// Tokens longer than this are refused unread; nothing Tessera issues or accepts comes near.
    public static let maximumLength = 16 * 1024

    /// Header members refused unless a use allows them.
    public static let refusedHeaderMembers = ["jku", "x5u", "x5c", "jwk", "crit"]

    /// Why a JWS was refused before any key was involved.
    public enum Failure: Error, Equatable, Sendable {
        case malformed
        /// `alg` is missing or `none`.
        case unsupportedAlgorithm
        case refusedHeaderMember(String)
    }

    public let header: JSONObject
    public let algorithm: String
    public let keyID: String?
    public let type: String?
    public let signature: [UInt8]
    private let bytes: [UInt8]
    private let firstPeriod: Int
    private let secondPeriod: Int

    public init(
        parsing token: String, maximumLength: Int = CompactJWS.maximumLength, allowing allowed: Set<String> = []
    ) throws(Failure) {
        let bytes = Array(token.utf8)
        guard bytes.count <= maximumLength else { throw .malformed }
        let period = UInt8(ascii: ".")
        guard let first = bytes.firstIndex(of: period),
            let second = bytes[(first + 1)...].firstIndex(of: period),
            !bytes[(second + 1)...].contains(period)
        else { throw .malformed }

        guard let headerJSON = Base64URL.decode(bytes[..<first]), !headerJSON.isEmpty else { throw .malformed }
        let header: JSONObject
        do {
            header = try JSONReader.object(headerJSON)
        } catch {
            throw .malformed
        }
        for name in Self.refusedHeaderMembers where !allowed.contains(name) && header[name] != nil {
            throw .refusedHeaderMember(name)
        }
        let algorithm: String?
        do {
            algorithm = try header.optionalString("alg")
            keyID = try header.optionalString("kid")
            type = try header.optionalString("typ")
        } catch {
            throw .malformed
        }
        guard let algorithm, !algorithm.isEmpty, algorithm.lowercased() != "none" else {
            throw .unsupportedAlgorithm
        }
        // After the header, so that `alg: none` with its empty signature is refused for what it is.
        guard let signature = Base64URL.decode(bytes[(second + 1)...]), !signature.isEmpty else { throw .malformed }
        self.header = header
        self.algorithm = algorithm
        self.signature = signature
        self.bytes = bytes
        self.firstPeriod = first
        self.secondPeriod = second
    }

    /// `BASE64URL(header) '.' BASE64URL(payload)`: what the signature signs (RFC 7515 §5.2).
    public var signingInput: ArraySlice<UInt8> { bytes[..<secondPeriod] }

    /// The payload's bytes. Read it only once the signature verified.
    public func payload() throws(Failure) -> [UInt8] {
        guard let payload = Base64URL.decode(bytes[(firstPeriod + 1)..<secondPeriod]) else { throw .malformed }
        return payload
    }

    /// The payload as a JWT claims set (RFC 7519 §7.2 step 10: a JSON object).
    public func claims() throws(Failure) -> JSONObject {
        do {
            return try JSONReader.object(try payload())
        } catch {
            throw .malformed
        }
    }

    /// `typ` compares case-insensitively, and the `application/` prefix may be present or not
    /// (RFC 7515 §4.1.9; RFC 9068 §4 names both `at+jwt` and `application/at+jwt`).
    public func hasType(_ expected: String) -> Bool {
        guard let type else { return false }
        let given = type.lowercased()
        let wanted = expected.lowercased()
        return given == wanted || given == "application/" + wanted
    }
}
