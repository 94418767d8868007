import Foundation
import TesseraCore
import TesseraJOSE

/// What an endpoint hands to client authentication: the request's credentials as they arrived,
/// with nothing decoded or chosen yet, so that every rule about them lives in one place.
public struct ClientAuthenticationRequest: Sendable {
    /// The tenant whose endpoint was called; clients of other tenants do not exist here.
    public var tenantID: UUID
    /// The raw `Authorization` header value, if the request had one (RFC 6749 §2.3.1).
    public var authorizationHeader: String?
    /// The request body (`client_id`, `client_secret`, `client_assertion_type`,
    /// `client_assertion`; RFC 6749 §2.3.1, RFC 7521 §4.2).
    public var form: FormParameters
    /// The values a `private_key_jwt` assertion's `aud` may name: the endpoint's own URL and the
    /// tenant's issuer (RFC 7523 §3 item 3; OpenID Connect Core §9).
    public var acceptedAudiences: [String]
    /// Whether a public client may identify itself with `client_id` alone (`none`): yes at the
    /// token endpoint for the grants public clients use, per endpoint otherwise.
    public var allowPublic: Bool
    /// The algorithms a `private_key_jwt` assertion may be signed with (fewer under FAPI 2.0).
    public var assertionAlgorithms: [JWSAlgorithm]
    /// RFC 8705: the client certificate a trusted TLS proxy forwarded (RFC 9440), if any.
    public var certificate: ClientCertificate?
    /// The tenant whose endpoint was called, when a `client_id` that is an https URL may name a
    /// client ID metadata document there (its `client_id_metadata_documents` setting decides).
    public var tenant: TenantContext?

    public init(
        tenantID: UUID, authorizationHeader: String?, form: FormParameters, acceptedAudiences: [String],
        allowPublic: Bool, assertionAlgorithms: [JWSAlgorithm] = JWSAlgorithm.allCases,
        certificate: ClientCertificate? = nil
    ) {
        self.certificate = certificate
        self.assertionAlgorithms = assertionAlgorithms
        self.tenantID = tenantID
        self.authorizationHeader = authorizationHeader
        self.form = form
        self.acceptedAudiences = acceptedAudiences
        self.allowPublic = allowPublic
    }
}

/// A client that proved who it is (or, for `none`, named itself), and how.
public struct AuthenticatedClient: Sendable, Equatable {
    public let client: Client
    public let method: ClientAuthMethod

    public init(client: Client, method: ClientAuthMethod) {
        self.client = client
        self.method = method
    }
}
