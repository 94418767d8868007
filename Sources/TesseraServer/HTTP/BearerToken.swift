import Foundation
import TesseraOAuth

/// RFC 6750 §2.1: the access token of an `Authorization: Bearer <token>` header. The scheme is
/// case-insensitive (RFC 9110 §11.1); a body or query token (§2.2, §2.3) is never read, since
/// those leak into logs and caches.
enum BearerToken {
    static func from(authorization header: String?) -> String? {
        guard let header, header.utf8.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        return String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    }
}

extension PresentedAccessToken {
    /// `Authorization: Bearer <token>` (RFC 6750 §2.1) or `Authorization: DPoP <token>` with the
    /// request's `DPoP` headers (RFC 9449 §7.1); schemes compare case-insensitively.
    static func from(authorization header: String?, proofs: [String]) -> PresentedAccessToken? {
        if let bearer = BearerToken.from(authorization: header) { return .bearer(bearer) }
        guard let header, header.utf8.count > 5, header.prefix(5).lowercased() == "dpop " else { return nil }
        return .dpop(String(header.dropFirst(5)).trimmingCharacters(in: .whitespaces), proofs: proofs)
    }
}

/// The `WWW-Authenticate` challenges of the server's own resources: RFC 6750 §3's Bearer and,
/// beside it, RFC 9449 §7.1's DPoP with the algorithms proofs may use.
enum AuthenticationChallenge {
    static let bearer = "Bearer realm=\"tessera\""
    static let dpop = "DPoP algs=\"" + DPoPProof.algorithms.map(\.rawValue).joined(separator: " ") + "\""
}
