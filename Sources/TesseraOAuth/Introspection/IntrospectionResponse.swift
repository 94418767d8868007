import Foundation
import TesseraJOSE

/// RFC 7662 §2.2. An inactive token is `{"active": false}` and nothing else, whatever the reason
/// (expired, revoked, another tenant's, forged): the caller learns nothing more.
public struct IntrospectionResponse: Sendable, Equatable {
    public let active: Bool
    public let scope: String?
    public let clientID: String?
    public let sub: String?
    public let aud: Audience?
    public let iss: String?
    public let exp: Int?
    public let iat: Int?
    public let nbf: Int?
    public let jti: String?
    public let tokenType: String?
    public let act: ActorClaim?
    /// RFC 9449 §6.2: a bound token's `cnf`, so the resource server checks the proof's key.
    public let cnf: Confirmation?

    public static let inactive = IntrospectionResponse(claims: nil)

    public init(claims: AccessTokenClaims?) {
        active = claims != nil
        scope = claims?.scope
        clientID = claims?.clientID
        sub = claims?.sub
        aud = claims?.aud
        iss = claims?.iss
        exp = claims?.exp
        iat = claims?.iat
        nbf = claims?.nbf
        jti = claims?.jti
        tokenType = claims == nil ? nil : "Bearer"
        act = claims?.act
        cnf = claims?.cnf
    }

}

extension IntrospectionResponse: CompactJSONEncodable {
    /// Nil members left out (RFC 7662 §2.2 has no nulls), written member by member: `JSONEncoder`
    /// was a twentieth of an introspection's time.
    public var compactJSON: [UInt8] {
        var writer = JSONWriter(capacity: 384)
        writer.bool("active", active)
        writer.string("scope", scope)
        writer.string("client_id", clientID)
        writer.string("sub", sub)
        writer.audience(aud)
        writer.string("iss", iss)
        writer.number("exp", exp)
        writer.number("iat", iat)
        writer.number("nbf", nbf)
        writer.string("jti", jti)
        writer.string("token_type", tokenType)
        writer.raw("act", act?.compactJSON)
        writer.raw("cnf", cnf?.compactJSON)
        return writer.finished()
    }
}
