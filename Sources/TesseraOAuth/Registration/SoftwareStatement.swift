import Foundation
import TesseraCore
import TesseraJOSE

/// RFC 7591 §2.3: a JWT a software publisher signed, asserting metadata about its client. It is
/// believed only when a key of the tenant's trusted publishers (`software_statement_jwks` of the
/// registration policy) verifies it: `unapproved_software_statement` when no trusted key could
/// have signed it, `invalid_software_statement` when it is malformed, badly signed or expired.
enum SoftwareStatement {
    /// Asymmetric algorithms only (RFC 8725 §3.1), as for every JWT from outside.
    static let algorithms: [JWSAlgorithm] = [.es256, .es384, .ps256, .rs256, .edDSA, .ed25519]

    static func verify(_ token: String, trusted jwks: String?, now: Date) async throws(OAuthError) -> JSONObject {
        let jws: CompactJWS
        do {
            jws = try CompactJWS(parsing: token)
        } catch {
            throw .invalidSoftwareStatement("the software statement is not a well-formed signed JWT")
        }
        guard let algorithm = JWSAlgorithm(rawValue: jws.algorithm), algorithms.contains(algorithm) else {
            throw .invalidSoftwareStatement("the software statement's alg is not accepted")
        }
        guard let jwks, !jwks.isEmpty else {
            throw .unapprovedSoftwareStatement("this tenant trusts no software statement publishers")
        }
        let keys = await VerificationKeySet(json: jwks)
        guard keys.hasKey(kid: jws.keyID) else {
            throw .unapprovedSoftwareStatement("the software statement is signed by a key this tenant does not trust")
        }
        guard keys.verifies(jws, accepting: [algorithm]) else {
            throw .invalidSoftwareStatement("the software statement's signature does not verify")
        }
        let claims: JSONObject
        do {
            claims = try jws.claims()
        } catch {
            throw .invalidSoftwareStatement("the software statement's payload is not a JSON object")
        }
        // §2.3 asks for `iss`; `exp`, when present, is honoured.
        guard case .string(let issuer)? = claims["iss"], !issuer.isEmpty else {
            throw .invalidSoftwareStatement("the software statement has no iss")
        }
        if let expiry = try? claims.optionalNumber("exp"), expiry < now.timeIntervalSince1970 - 30 {
            throw .invalidSoftwareStatement("the software statement has expired")
        }
        return claims
    }
}
