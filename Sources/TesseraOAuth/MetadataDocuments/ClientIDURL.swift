import Foundation

/// A `client_id` that names a client ID metadata document
/// (draft-ietf-oauth-client-id-metadata-document §3): an https URL with a path, without a
/// fragment, user information, or `.`/`..` segments. The URL is the client's identity, compared
/// as a string, so it is taken exactly as sent: nothing is normalized.
struct ClientIDURL: Sendable, Equatable {
    let text: String
    let host: String

    /// Longer client ids are refused before any lookup (`ClientAuthenticator.maximumClientIDLength`).
    static let maximumLength = 255

    /// Whether `clientID` is meant as a document URL at all: everything else is an ordinary id.
    static func isCandidate(_ clientID: String) -> Bool {
        clientID.utf8.count > 8 && clientID.prefix(8).lowercased() == "https://"
    }

    /// The URL, or why it cannot name a document.
    static func parse(_ clientID: String) throws(MetadataDocumentFailure) -> ClientIDURL {
        guard clientID.utf8.count <= maximumLength else {
            throw .invalidURL("it is longer than \(maximumLength) characters")
        }
        guard !clientID.contains(where: { $0.isWhitespace || $0.isNewline }),
            let components = URLComponents(string: clientID), components.scheme == "https",
            let host = components.host, !host.isEmpty
        else { throw .invalidURL("it is not an https URL") }
        guard components.fragment == nil, !clientID.contains("#") else {
            throw .invalidURL("it must not have a fragment")
        }
        guard components.user == nil, components.password == nil else {
            throw .invalidURL("it must not carry user information")
        }
        let path = components.percentEncodedPath
        guard path.count > 1 else { throw .invalidURL("it must have a path (not only /)") }
        guard !path.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == "." || $0 == ".." })
        else { throw .invalidURL("it must not have . or .. path segments") }
        return ClientIDURL(text: clientID, host: host.lowercased())
    }
}
