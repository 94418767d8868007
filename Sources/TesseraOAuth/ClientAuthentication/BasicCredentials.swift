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
    ///
    /// Read byte by byte: Foundation's `trimmingCharacters` goes through `NSString` on Linux and
    /// was a tenth of a token request. Only SP and HTAB count as whitespace (RFC 9110 §5.6.3).
    init?(authorizationHeader: String?) throws(OAuthError) {
        guard let authorizationHeader else { return nil }
        let header = Self.trimmed(Array(authorizationHeader.utf8)[...])
        guard !header.isEmpty else { return nil }
        let space = header.firstIndex(of: UInt8(ascii: " ")) ?? header.endIndex
        // RFC 7235 §2.1: the scheme name is case-insensitive.
        guard Self.isBasic(header[..<space]) else { return nil }
        let malformed = OAuthError.invalidClient("malformed Basic credentials", clientUsedBasicScheme: true)
        let encoded = Self.trimmed(header[space...])
        guard !encoded.isEmpty,
            let decoded = Data(base64Encoded: String(decoding: encoded, as: UTF8.self)).map(Array.init),
            let colon = decoded.firstIndex(of: UInt8(ascii: ":")),
            let clientID = FormParameters.decode(decoded[..<colon]),
            let secret = FormParameters.decode(decoded[(colon + 1)...]),
            !clientID.isEmpty
        else { throw malformed }
        self.clientID = clientID
        self.secret = secret
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard let first = bytes.firstIndex(where: { !isWhitespace($0) }),
            let last = bytes.lastIndex(where: { !isWhitespace($0) })
        else { return [] }
        return bytes[first...last]
    }

    private static func isBasic(_ scheme: ArraySlice<UInt8>) -> Bool {
        scheme.count == 5 && zip(scheme, "basic".utf8).allSatisfy { $0 | 0x20 == $1 }
    }
}
