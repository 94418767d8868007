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
    /// Nothing in the header is trusted: the header is parsed here, before any key is touched,
    /// and the key is looked up by `kid` among this tenant's verifying keys only (jwt-kit's
    /// `JWTKeyCollection` would fall back to its default key for an unknown kid). The algorithm
    /// comes from the key, and the header's `alg` must name it. Then, in order:
    /// `typ` (RFC 9068 §4), signature, `iss`, `exp` (required, RFC 7519 §4.1.4), `nbf` (§4.1.5),
    /// `iat` (§4.1.6), with `leeway` seconds of clock skew on the times.
    ///
    /// Header and claims are read with `JSONReader` (strict; a repeated member name is
    /// malformed). A `Payload` that is `CompactJSONDecodable` is built from the parsed claims;
    /// any other `Decodable` goes through `JSONDecoder`. For jwt-kit `JWTPayload` types,
    /// `verify(using:)` is not called: the time rules live here, judged against `now` with
    /// `leeway`, in one place. The audience (`aud`) is the caller's to check, since only it knows
    /// who it is.
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
        guard let type = try? header.optionalString("typ"), Self.type(type, matches: expectedType) else {
            throw .wrongType
        }

        guard let signature = Base64URLBytes.decode(bytes[(second + 1)...]) else { throw .malformed }
        guard key.verify(signature: signature, signs: bytes[..<second]) else { throw .badSignature }

        guard let payloadJSON = Base64URLBytes.decode(bytes[(first + 1)..<second]) else { throw .malformed }
        let claims: JSONObject
        do {
            claims = try JSONReader.object(payloadJSON)
        } catch {
            throw .malformed
        }
        // The registered claims are judged first, so an expired token reads as expired even
        // when the rest of its claims would not fit `Payload`.
        try RegisteredClaims(claims).check(issuer: issuer, now: now, leeway: leeway)
        if let compact = Payload.self as? any CompactJSONDecodable.Type {
            guard let payload = (try? compact.init(compactJSON: claims)) as? Payload else { throw .malformed }
            return payload
        }
        do {
            return try TokenJSON.decoder.decode(Payload.self, from: Data(payloadJSON))
        } catch {
            throw .malformed
        }
    }

    /// Decodes the JOSE header and refuses the parameters no Tessera token carries (present at
    /// all, even as `null`).
    static func parseHeader(_ segment: ArraySlice<UInt8>) throws(TokenRejection) -> JSONObject {
        guard let json = Base64URLBytes.decode(segment) else { throw .malformed }
        let fields: JSONObject
        do {
            fields = try JSONReader.object(json)
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
    func verifyingKey(for header: JSONObject) throws(TokenRejection) -> LoadedKey {
        guard let alg = try? header.optionalString("alg"), alg.lowercased() != "none" else {
            throw .unsupportedAlgorithm
        }
        guard let kid = try? header.optionalString("kid"), let key = verifying[kid] else { throw .unknownKey }
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

/// The RFC 7519 §4.1 claims that decide whether a token is acceptable at all. NumericDates are
/// read as numbers (fractions allowed); a non-number is malformed, as is an `iss` that is not a
/// string.
struct RegisteredClaims {
    let iss: String?
    let exp: Double?
    let nbf: Double?
    let iat: Double?

    init(_ claims: JSONObject) throws(TokenRejection) {
        do {
            iss = try claims.optionalString("iss")
            exp = try claims.optionalNumber("exp")
            nbf = try claims.optionalNumber("nbf")
            iat = try claims.optionalNumber("iat")
        } catch {
            throw .malformed
        }
    }

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
