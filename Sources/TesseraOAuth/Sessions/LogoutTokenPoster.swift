import Foundation

/// The outgoing half of Back-Channel Logout 1.0 §2.5: one logout token POSTed as
/// `application/x-www-form-urlencoded` `logout_token=…` to the client's
/// `backchannel_logout_uri`, through the guarded `OutboundFetcher` (the address checked and
/// connected to, short timeouts, no redirects, a bounded answer). §2.8: 200 (or 204) is success;
/// any other status, a timeout or a refused connection is a failure to retry.
public struct LogoutTokenPoster: Sendable {
    let fetcher: OutboundFetcher

    /// The fetcher of the deliveries: 5 s per exchange, answers read up to 16 KiB.
    public init(policy: OutboundAddressPolicy) {
        fetcher = OutboundFetcher(policy: policy, timeoutSeconds: 5, maximumBytes: 16_384)
    }

    /// Nil when the client accepted the token; otherwise what went wrong, for the audit log.
    func post(_ token: String, to uri: String) async -> String? {
        do throws(OutboundFailure) {
            // A compact JWS is base64url and dots: nothing in it needs form encoding.
            let response = try await fetcher.postForm(
                uri, body: "logout_token=" + token, headers: [("Cache-Control", "no-store")])
            switch response.status {
            case 200, 204: return nil
            default: return "answered HTTP \(response.status)"
            }
        } catch {
            switch error {
            case .refusedURL, .refusedAddress, .unresolvable: return "not contacted: \(error)"
            default: return "\(error)"
            }
        }
    }
}
