import Foundation
import TesseraCore
import TesseraJOSE

/// A token request as the protocol sees it: no HTTP types, just what RFC 6749 §4 reads.
public struct TokenRequest: Sendable {
    /// The tenant whose endpoint was called, resolved by the tenant wall.
    public let tenant: TenantContext
    public let form: FormParameters
    public let authorizationHeader: String?
    /// The request's `DPoP` header values (RFC 9449 §4.1): none, one, or a refused second.
    public let dpopProofs: [String]
    /// The client certificate a trusted TLS proxy forwarded (RFC 8705, RFC 9440).
    public let certificate: ClientCertificate?
    /// The checked proof, set by the token endpoint before a grant handles the request.
    public internal(set) var proof: DPoPProof?
    /// RFC 8705 §3: set by the token endpoint when the tokens are bound to `certificate`.
    public internal(set) var certificateBound = false

    public init(
        tenant: TenantContext, form: FormParameters, authorizationHeader: String?, dpopProofs: [String] = [],
        certificate: ClientCertificate? = nil
    ) {
        self.tenant = tenant
        self.form = form
        self.authorizationHeader = authorizationHeader
        self.dpopProofs = dpopProofs
        self.certificate = certificate
    }

    /// RFC 9449 §5: a request with a proof gets tokens bound to its key, of `token_type` DPoP;
    /// RFC 8705 §3: otherwise, when the client asked for it, to its certificate.
    var confirmation: Confirmation? {
        if let proof { return proof.confirmation }
        guard certificateBound, let certificate else { return nil }
        return Confirmation(certificateThumbprint: certificate.thumbprint)
    }
    var tokenType: String { TokenResponse.tokenType(boundTo: proof) }

    public var issuer: String { tenant.issuer }
    /// The token endpoint's URL, an accepted `aud` of `private_key_jwt` assertions.
    public var tokenEndpoint: String { tenant.issuer + AuthorizationServerMetadata.Path.token }
}

/// RFC 6749 §5.1 successful response (and RFC 8693 §2.2.1's `issued_token_type`).
public struct TokenResponse: Sendable {
    public let accessToken: String
    public let tokenType: String
    public let expiresIn: Int
    public let scope: String
    public let refreshToken: String?
    public let idToken: String?
    public let issuedTokenType: String?

    public init(
        accessToken: String, expiresIn: Int, scope: String, refreshToken: String? = nil, idToken: String? = nil,
        issuedTokenType: String? = nil, tokenType: String = "Bearer"
    ) {
        self.accessToken = accessToken
        self.tokenType = tokenType
        self.expiresIn = expiresIn
        self.scope = scope
        self.refreshToken = refreshToken
        self.idToken = idToken
        self.issuedTokenType = issuedTokenType
    }

}

/// One grant type's handler (Fosite's flow handler): the token endpoint finds the handler whose
/// `grantType` matches and knows no grant by name itself.
public protocol GrantHandler: Sendable {
    var grantType: GrantType { get }
    /// Whether public clients (`none`) may use this grant at the token endpoint.
    var allowsPublicClients: Bool { get }
    func handle(
        _ request: TokenRequest, client: AuthenticatedClient
    ) async throws(OAuthError)
        -> TokenResponse
}

extension TokenResponse: CompactJSONEncodable {
    public var compactJSON: [UInt8] {
        var writer = JSONWriter(capacity: accessToken.utf8.count + 128)
        writer.string("access_token", accessToken)
        writer.string("token_type", tokenType)
        writer.number("expires_in", expiresIn)
        writer.string("scope", scope)
        writer.string("refresh_token", refreshToken)
        writer.string("id_token", idToken)
        writer.string("issued_token_type", issuedTokenType)
        return writer.finished()
    }
}
