import Crypto
import Foundation
import TesseraCore
import TesseraJOSE

/// An OpenID Connect ID token (OIDC Core §2): who signed in, when, for which client. Signed with
/// `typ: JWT` by the key of the client's `id_token_signed_response_alg`, or the tenant's main key.
public struct IDTokenClaims: Sendable, Equatable, CompactJSONEncodable {
    public let iss: String
    public let sub: String
    public let aud: String
    public let exp: Int
    public let iat: Int
    public let authTime: Int
    public let nonce: String?
    /// §3.1.3.6: binds the ID token to the access token issued beside it.
    public let atHash: String?
    /// §2: the party the token was issued to; equal to `aud` here.
    public let azp: String
    public let preferredUsername: String?
    /// §2 `amr` (RFC 8176 values): how the user signed in; left out when not known.
    public let amr: [String]
    /// §2 `acr`, when the authorization request asked for one.
    public let acr: String?
    /// OIDC Front-/Back-Channel Logout 1.0 `sid`: the sign-in session the token was issued in,
    /// the one a logout token later names.
    public let sid: String?

    public init(
        iss: String, sub: String, aud: String, exp: Int, iat: Int, authTime: Int, nonce: String?, atHash: String?,
        azp: String, preferredUsername: String?, amr: [String] = [], acr: String? = nil, sid: String? = nil
    ) {
        self.sid = sid
        self.amr = amr
        self.acr = acr
        self.iss = iss
        self.sub = sub
        self.aud = aud
        self.exp = exp
        self.iat = iat
        self.authTime = authTime
        self.nonce = nonce
        self.atHash = atHash
        self.azp = azp
        self.preferredUsername = preferredUsername
    }

    /// OIDC Core §2 and §5.1 member names; nil members left out.
    public var compactJSON: [UInt8] {
        var writer = JSONWriter(capacity: 384)
        writer.string("iss", iss)
        writer.string("sub", sub)
        writer.string("aud", aud)
        writer.number("exp", exp)
        writer.number("iat", iat)
        writer.number("auth_time", authTime)
        writer.string("nonce", nonce)
        writer.string("at_hash", atHash)
        writer.string("azp", azp)
        writer.string("preferred_username", preferredUsername)
        if !amr.isEmpty { writer.strings("amr", amr) }
        writer.string("acr", acr)
        writer.string("sid", sid)
        return writer.finished()
    }

    /// OIDC Core §3.1.3.6: the left half of the hash of the access token's ASCII, with the hash
    /// the signing algorithm uses (SHA-256 for ES256 and RS256; SHA-512 for Ed25519, as the OIDC
    /// errata and every library that checks it read EdDSA).
    public static func atHash(of accessToken: String, algorithm: SigningAlgorithm) -> String {
        let bytes = Array(accessToken.utf8)
        let digest: [UInt8] =
            algorithm == .edDSA ? Array(SHA512.hash(data: bytes)) : Array(SHA256.hash(data: bytes))
        return Base64URL.encode(digest.prefix(digest.count / 2))
    }
}
