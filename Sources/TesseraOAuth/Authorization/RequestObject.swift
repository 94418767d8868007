import Foundation
import TesseraCore
import TesseraJOSE

/// A signed authorization request (RFC 9101 "JAR"): the request's parameters as the claims of a
/// JWT the client signed with a key it registered, so nothing in the browser can change them.
///
/// Checked in this order (RFC 9101 §6.1 to §6.3, FAPI 2.0 Message Signing §5.3.1): the one JWS
/// parser (no `jwk`, `jku`, `x5u`, `x5c` or `crit`), `typ` absent or `oauth-authz-req+jwt` (§4,
/// so no other kind of JWT a client signed passes as a request), an asymmetric algorithm the
/// tenant accepts, the signature by one of the client's registered keys; then `iss` the client,
/// `aud` the issuer, `client_id` the client, `exp` in the future, `nbf` in the past and at most
/// an hour before `exp`. Only then are its claims the request: parameters outside it are not
/// read (§5).
public struct RequestObject: Sendable {
    /// RFC 9101 §4 and §10.8: the media type of a request object's `typ`.
    public static let type = "oauth-authz-req+jwt"
    /// FAPI 2.0 Message Signing §5.3.1 item 5: `exp` no more than 60 minutes after `nbf`.
    public static let maximumLifetime: TimeInterval = 3_600
    /// Clock skew allowed on `nbf` and `exp`.
    static let leeway: TimeInterval = 30
    static let maximumLength = 32 * 1024

    /// Claims that are about the JWT itself, not parameters of the request.
    static let envelopeClaims: Set<String> = ["iss", "aud", "exp", "nbf", "iat", "jti", "sub"]

    /// The request's parameters: every claim but the envelope's, strings as they are, numbers
    /// written as integers (`max_age`), arrays of strings as repeated values (`resource`).
    public let parameters: FormParameters

    /// Verifies `token` as `client`'s request to `issuer`; `invalid_request_object` otherwise.
    public static func verify(
        _ token: String, client: Client, keys: VerificationKeySet, issuer: String, algorithms: [JWSAlgorithm],
        now: Date
    ) throws(OAuthError) -> RequestObject {
        let jws: CompactJWS
        do {
            jws = try CompactJWS(parsing: token, maximumLength: maximumLength)
        } catch .refusedHeaderMember(let name) {
            throw .invalidRequestObject("the request object's header carries the refused parameter '\(name)'")
        } catch {
            throw .invalidRequestObject("the request object is not a well-formed signed JWT")
        }
        if jws.type != nil, !jws.hasType(type) {
            throw .invalidRequestObject("the request object's typ must be \(type)")
        }
        guard let algorithm = JWSAlgorithm(rawValue: jws.algorithm), algorithms.contains(algorithm) else {
            throw .invalidRequestObject(
                "the request object's alg is not accepted; use one of "
                    + algorithms.map(\.rawValue).joined(separator: ", "))
        }
        guard !keys.isEmpty else {
            throw .invalidRequestObject("the client has registered no keys to sign request objects with")
        }
        guard keys.verifies(jws, accepting: [algorithm]) else {
            throw .invalidRequestObject("the request object's signature does not verify with the client's keys")
        }
        let claims: JSONObject
        do {
            claims = try jws.claims()
        } catch {
            throw .invalidRequestObject("the request object's payload is not a JSON object")
        }
        try checkEnvelope(claims, clientID: client.id, issuer: issuer, now: now)
        return RequestObject(parameters: try parameters(of: claims))
    }

    static func checkEnvelope(_ claims: JSONObject, clientID: String, issuer: String, now: Date) throws(OAuthError) {
        guard case .string(clientID)? = claims["iss"] else {
            throw .invalidRequestObject("the request object's iss must be the client's id")
        }
        let audiences: [String] =
            switch claims["aud"] {
            case .string(let single)?: [single]
            case .array(let values)?: values.compactMap { if case .string(let text) = $0 { text } else { nil } }
            default: []
            }
        guard audiences.contains(issuer) else {
            throw .invalidRequestObject("the request object's aud must be the issuer \(issuer)")
        }
        guard case .string(clientID)? = claims["client_id"] else {
            throw .invalidRequestObject("the request object's client_id must be the client's id")
        }
        let time = now.timeIntervalSince1970
        guard let exp = number(claims["exp"]) else { throw .invalidRequestObject("the request object needs exp") }
        guard exp + leeway > time else { throw .invalidRequestObject("the request object has expired") }
        if let nbf = number(claims["nbf"]) {
            guard nbf - leeway <= time else { throw .invalidRequestObject("the request object is not valid yet (nbf)") }
            guard exp - nbf <= maximumLifetime else {
                throw .invalidRequestObject("the request object may be valid for at most 60 minutes (exp - nbf)")
            }
        } else if exp - time > maximumLifetime {
            throw .invalidRequestObject("the request object may be valid for at most 60 minutes")
        }
    }

    static func parameters(of claims: JSONObject) throws(OAuthError) -> FormParameters {
        var values: [String: [String]] = [:]
        for (name, value) in claims.members where !envelopeClaims.contains(name) {
            // §4: a request object inside a request object is not a thing.
            guard name != "request", name != "request_uri" else {
                throw .invalidRequestObject("a request object cannot carry \(name)")
            }
            switch value {
            case .string(let text): values[name] = [text]
            case .integer(let number): values[name] = [String(number)]
            case .array(let items) where FormParameters.defaultRepeatable.contains(name):
                values[name] = try items.map { item throws(OAuthError) in
                    guard case .string(let text) = item else {
                        throw .invalidRequestObject("the request object's \(name) must hold strings")
                    }
                    return text
                }
            case .null: continue
            default:
                // OIDC `claims` (an object) is not supported, and is refused rather than dropped.
                throw .invalidRequestObject("the request object's \(name) is not a string")
            }
        }
        return FormParameters(values: values)
    }

    static func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .integer(let number)?: Double(number)
        case .number(let number)?: number
        default: nil
        }
    }
}
