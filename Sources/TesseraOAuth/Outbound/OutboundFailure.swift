import Foundation

/// Why an outgoing request was not made or not answered usefully. Each case names one rule, so
/// callers and tests tell them apart; `description` is for logs and the pages that explain a
/// refused sign-in.
public enum OutboundFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not an absolute https URL (or http to an allowed loopback host), or one with credentials.
    case refusedURL(String)
    /// The host is, or resolves to, an address the policy never contacts.
    case refusedAddress(host: String, reason: String)
    case unresolvable(host: String)
    /// No connection, TLS failure, or no answer in time.
    case unreachable(String)
    /// A 3xx answer: redirects are not followed (the target would escape the checks).
    case redirected(status: Int)
    case tooLarge(limit: Int)

    public var description: String {
        switch self {
        case .refusedURL(let reason): "the URL is refused: \(reason)"
        case .refusedAddress(let host, let reason): "\(host) is refused: it is \(reason)"
        case .unresolvable(let host): "\(host) does not resolve"
        case .unreachable(let reason): "no answer: \(reason)"
        case .redirected(let status): "the server answered with a redirect (\(status)), which is not followed"
        case .tooLarge(let limit): "the answer is larger than \(limit) bytes"
        }
    }
}

/// An answer to an outgoing request: status, the few headers callers read, and the body
/// (bounded by the fetcher).
public struct OutboundResponse: Sendable {
    public let status: Int
    public let contentType: String?
    public let cacheControl: String?
    public let body: [UInt8]

    public init(status: Int, contentType: String?, cacheControl: String?, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.cacheControl = cacheControl
        self.body = body
    }

    /// RFC 9111 §5.2.2.1 `max-age` in seconds; 0 for `no-store` or `no-cache`; nil when absent.
    public var maxAge: Int? {
        guard let cacheControl else { return nil }
        var maxAge: Int?
        for directive in cacheControl.lowercased().split(separator: ",") {
            let parts = directive.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            switch parts.first {
            case "no-store", "no-cache": return 0
            case "max-age" where parts.count == 2:
                maxAge = Int(parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\" ")))
            default: continue
            }
        }
        return maxAge
    }
}
