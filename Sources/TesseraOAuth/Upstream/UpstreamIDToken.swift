import Foundation
import TesseraCore
import TesseraJOSE

/// Why an upstream ID token was refused: the JOSE layer's rule (signature, algorithm, key,
/// `iss`, `exp`, …) or one of OIDC Core §3.1.3.7's that only the relying party can judge.
public enum UpstreamIDTokenRejection: Error, Equatable, Sendable, CustomStringConvertible {
    case token(TokenRejection)
    /// Item 3: `aud` does not contain our client id.
    case wrongAudience
    /// Items 4–5: several audiences without `azp`, or an `azp` that is not our client id.
    case wrongAuthorizedParty
    /// Item 11: `nonce` is not the one this sign-in sent.
    case wrongNonce
    /// A claim OIDC Core §2 requires (`sub`, `iat`, `aud`, `nonce`) is absent or malformed.
    case missingClaim(String)

    public var description: String {
        switch self {
        case .token(let rejection): "\(rejection)"
        case .wrongAudience: "it was issued for another client (aud)"
        case .wrongAuthorizedParty: "it was issued to another party (azp)"
        case .wrongNonce: "its nonce is not this sign-in's"
        case .missingClaim(let name): "it has no valid \"\(name)\" claim"
        }
    }
}

/// Who the upstream says signed in: its issuer and subject (the link's key), and the claims
/// the mapping reads.
public struct UpstreamIdentity: Sendable, Equatable {
    public let issuer: String
    public let subject: String
    public let claims: JSONObject

    /// A string claim, or nil when absent or not a string.
    public func string(_ name: String) -> String? { try? claims.optionalString(name) }
}

/// OIDC Core §3.1.3.7, the ID token validation of the code flow, for one sign-in.
public struct UpstreamIDTokenCheck: Sendable {
    public let issuer: String
    public let clientID: String
    public let nonce: String
    /// The provider's advertised algorithms among those Tessera verifies (never `none`, never HMAC).
    public let algorithms: [JWSAlgorithm]
    public let leeway: Int

    public init(issuer: String, clientID: String, nonce: String, algorithms: [JWSAlgorithm], leeway: Int = 60) {
        self.issuer = issuer
        self.clientID = clientID
        self.nonce = nonce
        self.algorithms = algorithms
        self.leeway = leeway
    }

    /// The identity in `token`, verified with `keys` at `now`.
    ///
    /// Items 2 (`iss` exactly), 6–7 (signature with the provider's keys, an allow-listed `alg`),
    /// 9 (`exp`) and 10 (`iat` not in the future) are the JOSE layer's
    /// (`VerificationKeySet.verify`); items 3–5 (`aud`, `azp`) and 11 (`nonce`) are checked here,
    /// with `sub` (§2: at most 255 ASCII characters).
    public func identity(
        in token: String, keys: VerificationKeySet, now: Date
    ) throws(UpstreamIDTokenRejection)
        -> UpstreamIdentity
    {
        let claims: JSONObject
        do {
            claims = try keys.verify(
                token, accepting: algorithms, types: ["JWT"], issuer: issuer, now: now, leeway: leeway)
        } catch {
            throw .token(error)
        }
        let audiences: [String]
        switch claims["aud"] {
        case .string(let audience)?: audiences = [audience]
        case .array(let values)?:
            audiences = values.compactMap { if case .string(let value) = $0 { value } else { nil } }
            guard audiences.count == values.count else { throw .missingClaim("aud") }
        default: throw .missingClaim("aud")
        }
        guard audiences.contains(clientID) else { throw .wrongAudience }
        let azp: String?
        do {
            azp = try claims.optionalString("azp")
        } catch {
            throw .wrongAuthorizedParty
        }
        if audiences.count > 1, azp == nil { throw .wrongAuthorizedParty }
        if let azp, azp != clientID { throw .wrongAuthorizedParty }
        guard (try? claims.optionalNumber("iat")) != nil else { throw .missingClaim("iat") }
        guard let given = try? claims.optionalString("nonce") else { throw .missingClaim("nonce") }
        guard ConstantTime.equals(Array(given.utf8), Array(nonce.utf8)) else { throw .wrongNonce }
        guard let subject = try? claims.optionalString("sub"), (1...255).contains(subject.utf8.count),
            subject.utf8.allSatisfy({ (0x20...0x7E).contains($0) })
        else { throw .missingClaim("sub") }
        return UpstreamIdentity(issuer: issuer, subject: subject, claims: claims)
    }
}
