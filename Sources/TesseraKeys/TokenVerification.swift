import Foundation
import JWTKit
import TesseraCore

extension TenantKeys {
    /// Tokens longer than this are refused before any parsing: no token Tessera issues comes near.
    public static let maximumTokenLength = 16 * 1024

    /// Header parameters that would let a token pick its own key (`jku`, `x5u`, `x5c`, `jwk`;
    /// RFC 8725 §3.10) or demand extensions we do not implement (`crit`, RFC 7515 §4.1.11).
    static let forbiddenHeaderParameters = ["jku", "x5u", "x5c", "jwk", "crit"]

    /// Verifies a token signed by this tenant and returns its payload.
    ///
    /// Nothing in the header is trusted: the header is parsed here, before jwt-kit sees anything,
    /// and the key is looked up by `kid` among this tenant's verifying keys only (jwt-kit's
    /// `JWTKeyCollection` would fall back to its default key for an unknown kid). The algorithm
    /// comes from the key, and the header's `alg` must name it. Then, in order:
    /// `typ` (RFC 9068 §4), signature, `iss`, `exp` (required, RFC 7519 §4.1.4), `nbf` (§4.1.5),
    /// `iat` (§4.1.6), with `leeway` seconds of clock skew on the times.
    ///
    /// `Payload` is any `Decodable`; for jwt-kit `JWTPayload` types, `verify(using:)` is not
    /// called: the time rules live here, judged against `now` with `leeway`, in one place.
    /// The audience (`aud`) is the caller's to check, since only it knows who it is.
    public func verify<Payload: Decodable>(
        _ token: String, as _: Payload.Type = Payload.self, expectedType: String, issuer: String,
        now: Date, leeway: Int
    ) throws(TokenRejection) -> Payload {
        let bytes = Array(token.utf8)
        guard bytes.count <= Self.maximumTokenLength else { throw .malformed }

        // RFC 7515 §7.1: BASE64URL(header) '.' BASE64URL(payload) '.' BASE64URL(signature).
        let period = UInt8(ascii: ".")
        guard let first = bytes.firstIndex(of: period),
            let second = bytes[(first + 1)...].firstIndex(of: period),
            !bytes[(second + 1)...].contains(period)
        else { throw .malformed }

        let header = try Self.parseHeader(bytes[..<first])
        let key = try verifyingKey(for: header)
        guard let type = header["typ"]?.asString, Self.type(type, matches: expectedType) else {
            throw .wrongType
        }

        guard let signature = Base64URLBytes.decode(bytes[(second + 1)...]) else { throw .malformed }
        let signatureValid = (try? key.jwtAlgorithm.verify(signature, signs: bytes[..<second])) ?? false
        guard signatureValid else { throw .badSignature }

        guard let payloadJSON = Base64URLBytes.decode(bytes[(first + 1)..<second]) else { throw .malformed }
        let envelope: ClaimsEnvelope<Payload>
        do {
            envelope = try TokenJSON.decoder.decode(ClaimsEnvelope<Payload>.self, from: Data(payloadJSON))
        } catch {
            throw .malformed
        }
        try envelope.registered.check(issuer: issuer, now: now, leeway: leeway)
        guard let payload = envelope.payload else { throw .malformed }
        return payload
    }

    /// Decodes the JOSE header and refuses the parameters no Tessera token carries.
    static func parseHeader(_ segment: ArraySlice<UInt8>) throws(TokenRejection) -> [String: JWTHeaderField] {
        guard let json = Base64URLBytes.decode(segment) else { throw .malformed }
        let fields: [String: JWTHeaderField]
        do {
            fields = try TokenJSON.decoder.decode(JWTHeader.self, from: Data(json)).fields
        } catch {
            throw .malformed
        }
        for name in forbiddenHeaderParameters where fields[name] != nil {
            throw .forbiddenHeader(name)
        }
        return fields
    }

    /// The key named by `kid`, if it verifies for this tenant and the header's `alg` is its
    /// algorithm. `none` is never an algorithm (RFC 8725 §3.1).
    func verifyingKey(for header: [String: JWTHeaderField]) throws(TokenRejection) -> LoadedKey {
        guard let alg = header["alg"]?.asString, alg.lowercased() != "none" else {
            throw .unsupportedAlgorithm
        }
        guard let kid = header["kid"]?.asString, let key = verifying[kid] else { throw .unknownKey }
        guard key.algorithm.rawValue == alg else { throw .unsupportedAlgorithm }
        return key
    }

    /// `typ` compares case-insensitively, and the `application/` prefix may be present or not
    /// (RFC 7515 §4.1.9; RFC 9068 §4 names both `at+jwt` and `application/at+jwt`).
    static func type(_ type: String, matches expected: String) -> Bool {
        let given = type.lowercased()
        let wanted = expected.lowercased()
        return given == wanted || given == "application/" + wanted
    }
}

/// The payload decoded once into both the caller's type and the registered claims this file
/// checks. A payload that fits the claims but not the caller's type is still judged on its
/// claims first, so an expired token reads as expired rather than malformed.
struct ClaimsEnvelope<Payload: Decodable>: Decodable {
    let registered: RegisteredClaims
    let payload: Payload?

    init(from decoder: any Decoder) throws {
        registered = try RegisteredClaims(from: decoder)
        payload = try? Payload(from: decoder)
    }
}

/// The RFC 7519 §4.1 claims that decide whether a token is acceptable at all. NumericDates are
/// read as numbers (fractions allowed); a non-number is malformed.
struct RegisteredClaims: Decodable {
    let iss: String?
    let exp: Double?
    let nbf: Double?
    let iat: Double?

    func check(issuer: String, now: Date, leeway: Int) throws(TokenRejection) {
        guard iss == issuer else { throw .wrongIssuer }
        let now = now.timeIntervalSince1970
        let skew = Double(max(0, leeway))
        // RFC 7519 §4.1.4: the current time MUST be before `exp`.
        guard let exp else { throw .missingClaim("exp") }
        guard now < exp + skew else { throw .expired }
        // §4.1.5: not before `nbf`; and a token cannot have been issued in the future.
        if let nbf, now + skew < nbf { throw .notYetValid }
        if let iat, now + skew < iat { throw .notYetValid }
    }
}
