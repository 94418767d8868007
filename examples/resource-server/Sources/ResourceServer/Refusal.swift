import HTTPTypes
import Hummingbird

/// The authorization scheme a token came under: RFC 6750 §2.1 `Bearer` or RFC 9449 §7.1 `DPoP`.
enum AuthorizationScheme: String, Sendable {
    case bearer = "Bearer"
    case dpop = "DPoP"
}

/// Why a request is refused, and so what the challenge says (RFC 6750 §3, RFC 9449 §7.1).
enum Refusal: Error {
    /// No token, or one under a scheme this API does not know: challenges without an error.
    case missing
    /// RFC 6750 §3.1 `invalid_request`: e.g. two `Authorization` headers.
    case invalidRequest(String)
    /// `invalid_token`: a bad token, or a good one presented without what it is bound to.
    case invalidToken(String, AuthorizationScheme)
    /// RFC 9449 §7.1 `invalid_dpop_proof`.
    case invalidProof(String)
    /// `insufficient_scope`, naming the scope the route needs.
    case insufficientScope(String, AuthorizationScheme)
    /// RFC 9470 §3 `insufficient_user_authentication`, naming the `acr_values` the client must
    /// ask the authorization server for.
    case insufficientUserAuthentication(acr: String, AuthorizationScheme)
}

/// `WWW-Authenticate` for a refusal: a `Bearer` and a `DPoP` challenge side by side (RFC 9449
/// §7.1: a resource that takes both offers both, the `DPoP` one with the algorithms proofs may
/// use), the error parameters on the challenge of the scheme the client used.
struct Challenge: Sendable {
    let realm: String
    /// RFC 9728 §5.1: where this API's protected-resource metadata is, named in every challenge.
    var resourceMetadata: String? = nil

    /// `scope`: what the route needs, named in a 401 too (RFC 6750 §3), so a client asks for it.
    func response(_ refusal: Refusal, scope: String? = nil) -> Response {
        let (status, scheme, error): (HTTPResponse.Status, AuthorizationScheme, String?) =
            switch refusal {
            case .missing: (.unauthorized, .bearer, nil)
            case .invalidRequest(let why):
                (.badRequest, .bearer, #"error="invalid_request", error_description="\#(why)""#)
            case .invalidToken(let why, let scheme):
                (.unauthorized, scheme, #"error="invalid_token", error_description="\#(why)""#)
            case .invalidProof(let why):
                (.unauthorized, .dpop, #"error="invalid_dpop_proof", error_description="\#(why)""#)
            case .insufficientScope(let scope, let scheme):
                (.forbidden, scheme, #"error="insufficient_scope", scope="\#(scope)""#)
            case .insufficientUserAuthentication(let acr, let scheme):
                (
                    .unauthorized, scheme,
                    #"error="insufficient_user_authentication", error_description="a stronger sign-in is needed", acr_values="\#(acr)""#
                )
            }
        var common = ""
        if let resourceMetadata { common += #", resource_metadata="\#(resourceMetadata)""# }
        if let scope, status == .unauthorized { common += #", scope="\#(scope)""# }
        let bearer =
            #"Bearer realm="\#(realm)""# + (scheme == .bearer ? error.map { ", " + $0 } ?? "" : "") + common
        let dpop =
            #"DPoP realm="\#(realm)", algs="\#(DPoPProofVerifier.algorithmNames)""#
            + (scheme == .dpop ? error.map { ", " + $0 } ?? "" : "") + common
        var headers: HTTPFields = [.cacheControl: "no-store"]
        headers.append(HTTPField(name: .wwwAuthenticate, value: bearer))
        headers.append(HTTPField(name: .wwwAuthenticate, value: dpop))
        return Response(status: status, headers: headers)
    }
}
