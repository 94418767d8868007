import Foundation

/// Why a client ID metadata document could not identify a client (draft §5.1: the request is
/// refused). Each case names one rule; `description` is what the error page and the
/// `error_description` of `invalid_client` say, without echoing the document.
enum MetadataDocumentFailure: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidURL(String)
    /// The fetch was refused or failed (`OutboundFailure` says which rule).
    case fetch(OutboundFailure)
    case status(Int)
    case invalidDocument(String)
    /// The database could not be read or written: try again (503), nothing is remembered.
    case unavailable

    var description: String {
        switch self {
        case .invalidURL(let reason): "the client_id is not a metadata document URL: \(reason)"
        case .fetch(let failure): "the client's metadata document could not be fetched: \(failure)"
        case .status(let status): "the client's metadata document answered HTTP \(status), not 200"
        case .invalidDocument(let reason): "the client's metadata document is not valid: \(reason)"
        case .unavailable: "the client registry is unavailable; try again shortly"
        }
    }

    /// The answer at the token, PAR and device endpoints (RFC 6749 §5.2).
    var oauthError: OAuthError {
        self == .unavailable ? .temporarilyUnavailable(description) : .invalidClient(description)
    }
}
