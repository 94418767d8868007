import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Who may use a token here. A plain token is a bearer token (RFC 6750): whoever holds it. A
/// token whose `cnf` names a key (RFC 9449) or a client certificate (RFC 8705) is worth nothing
/// without that key or certificate, so a stolen one cannot be replayed:
///
/// - `cnf.jkt`: only as `Authorization: DPoP <token>` with one fresh proof by that key, for
///   this method and URL, naming this token by `ath` (RFC 9449 §7); under `Bearer` it is refused
///   (§7.2: the client must not downgrade it);
/// - `cnf["x5t#S256"]`: only as `Authorization: Bearer <token>` over a TLS connection with that
///   certificate, which the trusted proxy in front forwards in `Client-Cert` (RFC 8705 §3,
///   RFC 9440).
struct SenderConstrainedAccess: Sendable {
    let tokens: AccessTokenVerifier
    let proofs: DPoPProofVerifier
    let certificates: ClientCertificateHeader
    /// How clients address this API (scheme, host, port): the `htu` their proofs name is this
    /// followed by the request's path, whatever proxy stands in between.
    let publicURL: String

    /// How the token was held to its sender.
    enum Binding: String, Encodable {
        case bearer, dpop, certificate
    }

    func authorize(
        _ request: Request, peer: String?, logger: Logger
    ) async throws(Refusal) -> (
        AccessToken, Binding
    ) {
        let (scheme, token) = try Self.presented(request.headers[values: .authorization])
        let claims: AccessToken
        do {
            claims = try await tokens.verify(token)
        } catch {
            throw .invalidToken(error.reason, scheme)
        }
        switch (scheme, claims.cnf?.jkt, claims.cnf?.x5tS256) {
        case (.dpop, let jkt?, _):
            let proofKey: String
            do {
                proofKey = try await proofs.verify(
                    request.headers[values: .dpop], method: request.method.rawValue,
                    url: publicURL + request.uri.path, accessToken: token)
            } catch {
                throw .invalidProof(error.reason)
            }
            // RFC 9449 §7.1 / §6.1: the proof's key is the one the token is bound to.
            guard proofKey == jkt else { throw .invalidProof("the proof is not signed by the token's key") }
            return (claims, .dpop)
        case (.dpop, nil, _):
            throw .invalidToken("the token is not DPoP-bound; send it under the Bearer scheme", .dpop)
        case (.bearer, _?, _):
            throw .invalidToken("the token is DPoP-bound; send it under the DPoP scheme with a proof", .bearer)
        case (.bearer, nil, let x5t?):
            let reading = certificates.read(request.headers[values: .clientCert], peer: peer)
            if case .none(let ignored?) = reading {
                logger.warning("Ignored a Client-Cert header from \(ignored), which is not a trusted proxy")
            }
            guard case .thumbprint(let presented) = reading, presented == x5t else {
                throw .invalidToken(
                    "the token is bound to a client certificate this request was not sent with", .bearer)
            }
            return (claims, .certificate)
        case (.bearer, nil, nil):
            return (claims, .bearer)
        }
    }

    /// The token and its scheme from the one `Authorization` header; schemes compare
    /// case-insensitively (RFC 9110 §11.1).
    static func presented(_ headers: [String]) throws(Refusal) -> (AuthorizationScheme, String) {
        guard let header = headers.first else { throw .missing }
        guard headers.count == 1 else { throw .invalidRequest("send one Authorization header") }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { throw .missing }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        switch parts[0].lowercased() {
        case "bearer": return (.bearer, token)
        case "dpop": return (.dpop, token)
        default: throw .missing
        }
    }
}

extension HTTPField.Name {
    /// RFC 9449 §4.1.
    static let dpop = Self("DPoP")!
    /// RFC 9440 §2.
    static let clientCert = Self("Client-Cert")!
}
