import Foundation

/// RFC 6750 §2.1: the access token of an `Authorization: Bearer <token>` header. The scheme is
/// case-insensitive (RFC 9110 §11.1); a body or query token (§2.2, §2.3) is never read, since
/// those leak into logs and caches.
enum BearerToken {
    static func from(authorization header: String?) -> String? {
        guard let header, header.utf8.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        return String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    }
}
