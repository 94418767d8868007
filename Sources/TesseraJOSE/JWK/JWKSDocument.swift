import Crypto
import Foundation
import TesseraCore

/// A tenant's JWK Set (RFC 7517 §5) as served at its JWKS endpoint, with an ETag for
/// conditional requests.
///
/// Only published states appear (`current`, `next`, `previous`), never HS256. Each key is
/// re-rendered from its parsed public members rather than copied, so a record whose `publicJWK`
/// wrongly carried a private member could not leak it: such a record is left out.
public struct JWKSDocument: Sendable, Equatable {
    /// `{"keys":[...]}`, compact; current first, then next, then previous (newest first); within
    /// a state the main line's key before those of ID-token lines.
    public let json: String
    /// Strong ETag: the quoted base64url SHA-256 of `json` (RFC 9110 §8.8.3).
    public let etag: String

    public init(publishedKeys records: [SigningKeyRecord]) {
        json = jwksJSON(publishedKeys: records)
        etag = "\"" + Base64URL.encode(SHA256.hash(data: Data(json.utf8))) + "\""
    }
}

/// Renders `{"keys":[...]}` from the records that are published. Deterministic: the same records
/// in any order give the same bytes, so the ETag only changes when the keys do.
public func jwksJSON(publishedKeys records: [SigningKeyRecord]) -> String {
    func rank(_ state: KeyState) -> Int {
        switch state {
        case .current: 0
        case .next: 1
        default: 2
        }
    }
    let published =
        records
        .filter { $0.state.isPublished && $0.algorithm.isPublishable }
        .sorted { lhs, rhs in
            if rank(lhs.state) != rank(rhs.state) { return rank(lhs.state) < rank(rhs.state) }
            // The main line's key of each state before the ID-token lines' (docs/id-token-signing.md).
            if (lhs.line == .main) != (rhs.line == .main) { return lhs.line == .main }
            // Most recently demoted `previous` first; then by kid so equal dates stay ordered.
            let lhsDate = lhs.deactivatedAt ?? lhs.createdAt
            let rhsDate = rhs.deactivatedAt ?? rhs.createdAt
            if lhsDate != rhsDate { return lhsDate > rhsDate }
            return lhs.kid < rhs.kid
        }
    let keys = published.compactMap { record -> String? in
        guard let jwk = try? PublicJWK(json: record.publicJWK), jwk.kid == nil || jwk.kid == record.kid else {
            return nil
        }
        // `alg` is the fully specified one (RFC 9864), whatever an older record stored.
        return PublicJWK(requiredMembers: jwk.requiredMembers, kid: record.kid, alg: record.algorithm.jwsAlgorithm).json
    }
    return "{\"keys\":[" + keys.joined(separator: ",") + "]}"
}
