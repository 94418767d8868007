import Foundation

/// The client id and secret of an `Authorization: Basic` header (RFC 7617 §2).
///
/// RFC 6749 §2.3.1: the client identifier and secret are each encoded with the
/// `application/x-www-form-urlencoded` algorithm *before* they are joined with `:` and
/// base64-encoded, so a `:` or `%` in either survives. They are decoded the same way here:
/// `+` is a space and `%XX` a byte.
struct BasicCredentials: Sendable, Equatable {
    let clientID: String
    let secret: String

    /// Nil when the request has no `Authorization` header or one of another scheme (those are
    /// not client credentials, and are left to whoever they are for). A Basic header that
    /// cannot be read is `invalid_client` with a Basic challenge, as a failed HTTP
    /// authentication would be.
    init?(authorizationHeader: String?) throws(OAuthError) {
        guard let header = authorizationHeader?.trimmingCharacters(in: .whitespaces), !header.isEmpty else {
            return nil
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        // RFC 7235 §2.1: the scheme name is case-insensitive.
        guard let scheme = parts.first, scheme.lowercased() == "basic" else { return nil }
        let malformed = OAuthError.invalidClient("malformed Basic credentials", clientUsedBasicScheme: true)
        guard parts.count == 2,
            let decoded = Data(base64Encoded: parts[1].trimmingCharacters(in: .whitespaces)).map(Array.init),
            let colon = decoded.firstIndex(of: UInt8(ascii: ":")),
            let clientID = FormParameters.decode(decoded[..<colon]),
            let secret = FormParameters.decode(decoded[(colon + 1)...]),
            !clientID.isEmpty
        else { throw malformed }
        self.clientID = clientID
        self.secret = secret
    }
}
