import Foundation
import JWTKit
import TesseraCore

extension TenantKeys {
    /// Verifies a token signed by this tenant and returns its payload.
    ///
    /// Nothing in the header is trusted: `CompactJWS` takes the token apart and refuses the
    /// header tricks every kind of JWT refuses, before any key is touched. The key is looked up
    /// by `kid` among this tenant's verifying keys only (jwt-kit's `JWTKeyCollection` would fall
    /// back to its default key for an unknown kid). The algorithm comes from the key, and the
    /// header's `alg` must name it. Then, in order: `typ` (RFC 9068 §4), signature, `iss`, `exp`
    /// (required, RFC 7519 §4.1.4), `nbf` (§4.1.5), `iat` (§4.1.6), with `leeway` seconds of
    /// clock skew on the times.
    ///
    /// The claims are read with `JSONReader` (strict) into a `CompactJSONDecodable` payload. The
    /// time rules live here, judged against `now` with `leeway`, in one place. The audience
    /// (`aud`) is the caller's to check, since only it knows who it is.
    public func verify<Payload: CompactJSONDecodable>(
        _ token: String, as _: Payload.Type = Payload.self, expectedType: String, issuer: String,
        now: Date, leeway: Int
    ) throws(TokenRejection) -> Payload {
        let jws = try CompactJWS.received(token)
        let key = try verifyingKey(for: jws)
        guard jws.hasType(expectedType) else { throw .wrongType }
        guard key.verify(signature: jws.signature, signs: jws.signingInput) else { throw .badSignature }
        let claims = try jws.verifiedClaims()
        // The registered claims are judged first, so an expired token reads as expired even
        // when the rest of its claims would not fit `Payload`.
        try RegisteredClaims(claims).check(issuer: issuer, now: now, leeway: leeway)
        do {
            return try Payload(compactJSON: claims)
        } catch {
            throw .malformed
        }
    }

    /// The key named by `kid`, if it verifies for this tenant and the header's `alg` is its
    /// algorithm.
    func verifyingKey(for jws: CompactJWS) throws(TokenRejection) -> LoadedKey {
        guard let kid = jws.keyID, let key = verifying[kid] else { throw .unknownKey }
        guard key.algorithm.accepts(jws.algorithm) else { throw .unsupportedAlgorithm }
        return key
    }
}

extension CompactJWS {
    /// A token as a verifier receives it: parsed, or refused for the rule it broke.
    static func received(_ token: String) throws(TokenRejection) -> CompactJWS {
        do {
            return try CompactJWS(parsing: token)
        } catch {
            throw TokenRejection(error)
        }
    }

    /// The claims of a token whose signature verified.
    func verifiedClaims() throws(TokenRejection) -> JSONObject {
        do {
            return try claims()
        } catch {
            throw .malformed
        }
    }
}

extension TokenRejection {
    init(_ failure: CompactJWS.Failure) {
        switch failure {
        case .malformed: self = .malformed
        case .unsupportedAlgorithm: self = .unsupportedAlgorithm
        case .refusedHeaderMember(let name): self = .forbiddenHeader(name)
        }
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
