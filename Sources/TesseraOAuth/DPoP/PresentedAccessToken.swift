import Foundation
import TesseraCore
import TesseraJOSE
import TesseraStore

/// An access token as a request to one of the server's own resources presents it: under the
/// `Bearer` scheme (RFC 6750 §2.1), or under `DPoP` with its proofs (RFC 9449 §7.1).
public enum PresentedAccessToken: Sendable, Equatable {
    case bearer(String)
    case dpop(String, proofs: [String])

    public var token: String {
        switch self {
        case .bearer(let token), .dpop(let token, _): token
        }
    }
}

/// Why a presented token opens nothing, as RFC 6750 §3.1 and RFC 9449 §7.1 name it.
public enum ResourceRefusal: Error, Equatable, Sendable {
    case invalidToken
    case invalidDPoPProof(String)
    /// RFC 9449 §9: the tenant requires a nonce; the answer carries this one in `DPoP-Nonce`.
    case useDPoPNonce(String)
    case unavailable
}

extension AccessTokenValidator {
    /// The claims of a token presented at `request`: a bearer token must be unbound or bound to
    /// the request's client certificate; a DPoP
    /// token must be bound to the key of its one proof, which names it by `ath` and is accepted
    /// once at any instance (RFC 9449 §7 and §11.1).
    public func validate(
        _ presented: PresentedAccessToken, at request: DPoPProof.Request, tenant: TenantContext
    ) async throws(ResourceRefusal) -> AccessTokenClaims {
        switch presented {
        case .bearer(let token):
            guard let claims = await validate(token, tenant: tenant) else { throw .invalidToken }
            switch claims.cnf {
            case nil: return claims
            // RFC 8705 §3: a certificate-bound token over the connection of that certificate.
            case let cnf? where cnf.certificateThumbprint != nil:
                guard let presented = request.certificateThumbprint, presented == cnf.certificateThumbprint else {
                    throw .invalidToken
                }
                return claims
            // RFC 9449 §7.1: a DPoP-bound token proves nothing under the Bearer scheme.
            default: throw .invalidToken
            }
        case .dpop(let token, let headers):
            guard let claims = await validate(token, tenant: tenant), let jkt = claims.cnf?.jkt ?? nil, let dpop
            else { throw .invalidToken }
            let proof: DPoPProof
            do {
                proof = try await dpop.verify(
                    headers, for: .init(method: request.method, url: request.url, accessToken: token), tenant: tenant)
            } catch {
                switch error.code {
                case .useDPoPNonce: throw .useDPoPNonce(error.dpopNonce ?? "")
                case .invalidDPoPProof: throw .invalidDPoPProof(error.description ?? "the DPoP proof is invalid")
                default: throw .unavailable
                }
            }
            // Checked after the proof is recorded: a proof by another key is spent all the same.
            guard proof.jkt == jkt else {
                throw .invalidDPoPProof("the proof's key is not the one the access token is bound to")
            }
            return claims
        }
    }
}
