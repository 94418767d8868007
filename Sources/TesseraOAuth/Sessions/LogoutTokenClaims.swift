import Foundation
import TesseraJOSE

/// An OIDC Back-Channel Logout 1.0 §2.4 logout token: `iss`, `aud` (the client), `iat`, `exp`,
/// `jti`, `events` with the back-channel-logout member, and `sid` and `sub`; never a `nonce`
/// (§2.4 "MUST NOT contain a nonce Claim", so it cannot pass for an ID token). Signed with the
/// tenant's current key with header `typ: logout+jwt` (§2.4 and RFC 8725 §3.11).
public struct LogoutTokenClaims: Sendable, Equatable, CompactJSONEncodable {
    public static let type = "logout+jwt"
    public static let event = "http://schemas.openid.net/event/backchannel-logout"
    /// §2.4 recommends a short lifetime; two minutes covers clock skew and one slow attempt.
    public static let lifetime = 120

    public let iss: String
    public let aud: String
    public let iat: Int
    public let exp: Int
    public let jti: String
    public let sub: String
    public let sid: String

    public init(iss: String, aud: String, iat: Int, jti: String, sub: String, sid: String) {
        self.iss = iss
        self.aud = aud
        self.iat = iat
        self.exp = iat + Self.lifetime
        self.jti = jti
        self.sub = sub
        self.sid = sid
    }

    public var compactJSON: [UInt8] {
        var writer = JSONWriter(capacity: 320)
        writer.string("iss", iss)
        writer.string("aud", aud)
        writer.number("iat", iat)
        writer.number("exp", exp)
        writer.string("jti", jti)
        writer.string("sub", sub)
        writer.string("sid", sid)
        // §2.4: "events" holds the event's member with an empty object as its value.
        var events = JSONWriter(capacity: 64)
        events.raw(Self.event, Array("{}".utf8))
        writer.raw("events", events.finished())
        return writer.finished()
    }
}
