import Foundation
import JWTKit

/// The claims of a Tessera access token (RFC 9068) this API relies on.
struct AccessToken: JWTPayload {
    let iss: IssuerClaim
    let sub: SubjectClaim
    let aud: AudienceClaim
    let exp: ExpirationClaim
    let clientID: String
    let scope: String
    /// RFC 8693: who acts for the subject, when the token came from a token exchange.
    let act: Actor?
    /// RFC 7800 confirmation: the key (RFC 9449 §6.1 `jkt`) or the client certificate (RFC 8705
    /// §3.1 `x5t#S256`) the token is bound to; nil for a plain bearer token.
    let cnf: Confirmation?
    /// RFC 9068 §2.2.1: the authentication context class met and how the user signed in, when
    /// the token says; RFC 9470 step-up compares them with what a route needs.
    let acr: String?
    let amr: [String]?

    struct Confirmation: Codable, Sendable {
        let jkt: String?
        let x5tS256: String?

        enum CodingKeys: String, CodingKey {
            case jkt
            case x5tS256 = "x5t#S256"
        }
    }

    final class Actor: Codable, Sendable {
        let sub: String
        let act: Actor?
    }

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, scope, act, cnf, acr, amr
        case clientID = "client_id"
    }

    var scopes: Set<Substring> { Set(scope.split(separator: " ")) }

    /// jwt-kit calls this after the signature checks out; the issuer and audience checks are ours
    /// because only we know what they must be.
    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired(currentDate: Date().addingTimeInterval(-5))
    }
}

/// Why a token is not good here (RFC 6750 §3.1 `invalid_token`), whatever scheme it came under.
struct TokenRefusal: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Checks an access token the way every API of a Tessera tenant should: signature by a key the
/// issuer published (chosen by `kid`, with that key's own algorithm, never the header's word
/// alone), `typ` of an access token, the issuer, this API as audience, not expired.
struct AccessTokenVerifier: Sendable {
    let issuer: String
    let audience: String
    let keys: IssuerKeys

    func verify(_ token: String) async throws(TokenRefusal) -> AccessToken {
        guard let header = Self.header(of: token), let kid = header.kid else {
            throw TokenRefusal("the token is not a signed JWT with a kid")
        }
        // RFC 9068 §4: refuse anything that is not an access token (ID tokens sign with the same keys).
        guard let typ = header.typ?.lowercased(), typ == "at+jwt" || typ == "application/at+jwt" else {
            throw TokenRefusal("the token is not an access token")
        }
        let found: (JWTKeyCollection, algorithm: String)?
        do {
            found = try await keys.keys(for: kid)
        } catch {
            throw TokenRefusal("the issuer's keys could not be fetched")
        }
        guard let (collection, algorithm) = found, header.alg == algorithm else {
            throw TokenRefusal("the token is not signed by a key of the issuer")
        }
        let claims: AccessToken
        do {
            claims = try await collection.verify(token, as: AccessToken.self)
        } catch {
            throw TokenRefusal("the token is invalid or expired")
        }
        guard claims.iss.value == issuer else { throw TokenRefusal("the token is from another issuer") }
        guard claims.aud.value.contains(audience) else { throw TokenRefusal("the token is not meant for this API") }
        return claims
    }

    struct Header: Decodable {
        let alg: String?
        let kid: String?
        let typ: String?
    }

    static func header(of token: String) -> Header? {
        guard let first = token.split(separator: ".", omittingEmptySubsequences: false).first else { return nil }
        var base64 = first.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { return nil }
        return try? JSONDecoder().decode(Header.self, from: data)
    }
}
