import Foundation
import TesseraJOSE

/// The claims of a `private_key_jwt` assertion that RFC 7523 §3 gives rules for. NumericDates
/// are read as numbers (fractions allowed, RFC 7519 §2); a claim of the wrong JSON type makes
/// the assertion malformed rather than silently absent.
struct ClientAssertionClaims: CompactJSONDecodable, Sendable, Equatable {
    let iss: String?
    let sub: String?
    /// RFC 7519 §4.1.3: one string or an array of strings.
    let aud: [String]
    let exp: Double?
    let nbf: Double?
    let iat: Double?
    let jti: String?

    init(compactJSON claims: JSONObject) throws(JSONReader.Failure) {
        iss = try claims.optionalString("iss")
        sub = try claims.optionalString("sub")
        switch claims["aud"] {
        case nil, .null?: aud = []
        case .string(let single)?: aud = [single]
        case .array(let values)?:
            aud = try values.map { value throws(JSONReader.Failure) in
                guard case .string(let audience) = value else {
                    throw JSONReader.Failure(reason: "aud is not a string")
                }
                return audience
            }
        default: throw JSONReader.Failure(reason: "aud is neither a string nor an array")
        }
        exp = try claims.optionalNumber("exp")
        nbf = try claims.optionalNumber("nbf")
        iat = try claims.optionalNumber("iat")
        jti = try claims.optionalString("jti")
    }
}

/// The RFC 7523 §3 rules for a client assertion whose signature has been verified, so the
/// descriptions may say which rule failed.
enum ClientAssertionRules {
    /// Clock skew allowed on `exp`, `nbf` and `iat` (RFC 7523 §3 items 4–6 allow "some small
    /// leeway").
    static let leeway: TimeInterval = 30
    /// An assertion is a one-shot proof; one valid for longer is a stolen credential waiting to
    /// be used, and its `jti` would have to be remembered that long (RFC 7523 §3 item 7). One
    /// hour is the common client default (authlib signs for 3600 s) and what Keycloak and Hydra
    /// accept; each assertion is single-use whatever its lifetime.
    static let maximumLifetime: TimeInterval = 3_600
    /// Longer `jti` values are refused rather than stored.
    static let maximumJTILength = 256

    /// Checks every claim rule and returns the assertion's `jti` and expiry, for the replay
    /// record.
    static func check(
        _ claims: ClientAssertionClaims, clientID: String, acceptedAudiences: [String], now: Date
    ) throws(OAuthError) -> (jti: String, expiresAt: Date) {
        // RFC 7523 §3 items 1 and 2; §2.2: for client authentication both are the client_id.
        guard claims.iss == clientID, claims.sub == clientID else {
            throw .invalidClient("the client assertion's iss and sub must both be the client_id")
        }
        // Item 3: the audience identifies this authorization server (its token endpoint URL
        // or its issuer; OpenID Connect Core §9).
        guard claims.aud.contains(where: acceptedAudiences.contains) else {
            throw .invalidClient("the client assertion's aud does not name this authorization server")
        }
        // Item 4: exp is required, and the assertion is refused once it has passed.
        let now = now.timeIntervalSince1970
        guard let exp = claims.exp else { throw .invalidClient("the client assertion has no exp") }
        guard now < exp + leeway else { throw .invalidClient("the client assertion has expired") }
        guard exp <= now + maximumLifetime + leeway else {
            throw .invalidClient(
                "the client assertion's exp is more than \(Int(maximumLifetime)) seconds away; use short-lived assertions"
            )
        }
        // Items 5 and 6: not before nbf; and not issued in the future.
        if let nbf = claims.nbf, now + leeway < nbf {
            throw .invalidClient("the client assertion is not valid yet (nbf)")
        }
        if let iat = claims.iat, now + leeway < iat {
            throw .invalidClient("the client assertion was issued in the future (iat)")
        }
        // Item 7: a jti lets the server accept each assertion once.
        guard let jti = claims.jti, !jti.isEmpty, jti.utf8.count <= maximumJTILength else {
            throw .invalidClient("the client assertion needs a jti of 1 to \(maximumJTILength) characters")
        }
        return (jti, Date(timeIntervalSince1970: exp))
    }
}
