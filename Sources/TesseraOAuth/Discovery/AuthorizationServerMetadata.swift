import Foundation
import TesseraCore
import TesseraJOSE

/// RFC 8414 authorization server metadata, which is also OpenID Connect Discovery 1.0's
/// document: one JSON served at both well-known locations. Only endpoints this server really
/// has are listed; each flow adds its own as it lands.
public struct AuthorizationServerMetadata: Encodable, Sendable, Equatable {
    public let issuer: String
    public let jwksURI: String
    public let authorizationEndpoint: String?
    public let userinfoEndpoint: String?
    public let tokenEndpoint: String?
    public let introspectionEndpoint: String?
    public let revocationEndpoint: String?
    public let deviceAuthorizationEndpoint: String?
    public let grantTypesSupported: [String]
    public let responseTypesSupported: [String]
    public let scopesSupported: [String]
    public let tokenEndpointAuthMethodsSupported: [String]
    public let tokenEndpointAuthSigningAlgValuesSupported: [String]
    /// RFC 9449 §5.1: the token endpoint takes DPoP proofs signed with these.
    public let dpopSigningAlgValuesSupported: [String]?
    public let codeChallengeMethodsSupported: [String]
    public let subjectTypesSupported: [String]
    public let idTokenSigningAlgValuesSupported: [String]
    public let responseModesSupported: [String]?
    public let promptValuesSupported: [String]?
    public let claimsSupported: [String]?
    /// RFC 9207: authorization responses carry `iss`.
    public let authorizationResponseIssParameterSupported: Bool?
    /// RFC 9126 §5.
    public let pushedAuthorizationRequestEndpoint: String?
    public let requirePushedAuthorizationRequests: Bool?
    /// RFC 9101 §10.5 / OIDC Discovery §3: request objects by value are taken; by reference
    /// only as a PAR `request_uri` (the server fetches nothing a client names).
    public let requestParameterSupported: Bool?
    public let requestURIParameterSupported: Bool?
    public let requestObjectSigningAlgValuesSupported: [String]?
    /// OIDC RP-Initiated Logout 1.0 §2.1.
    public let endSessionEndpoint: String?
    /// OIDC Back-Channel Logout 1.0 §2.1: logout tokens are sent, and they (and ID tokens) carry `sid`.
    public let backchannelLogoutSupported: Bool?
    public let backchannelLogoutSessionSupported: Bool?
    /// OIDC Discovery §3: the `acr` values `acr_values` may ask for.
    public let acrValuesSupported: [String]?
    /// RFC 8705 §3.3.
    public let tlsClientCertificateBoundAccessTokens: Bool?
    /// RFC 8414 §2 / RFC 7591 §3: present while the tenant's `registration` is not `closed`.
    public let registrationEndpoint: String?
    /// draft-ietf-oauth-client-id-metadata-document §6: a client_id may be its document's URL.
    public let clientIDMetadataDocumentSupported: Bool?

    /// The endpoints of a tenant, relative to its issuer.
    public enum Path {
        public static let jwks = "/jwks.json"
        public static let token = "/token"
        public static let introspection = "/introspect"
        public static let revocation = "/revoke"
        public static let authorize = "/authorize"
        public static let userinfo = "/userinfo"
        public static let deviceAuthorization = "/device_authorization"
        public static let pushedAuthorizationRequest = "/par"
        public static let endSession = "/end_session"
        public static let registration = "/register"
    }

    public init(issuer: String, tenant: Tenant, scopes: [String], grants: [GrantType], mutualTLS: Bool = false) {
        self.issuer = issuer
        jwksURI = issuer + Path.jwks
        let hasTokenEndpoint = !grants.isEmpty
        tokenEndpoint = hasTokenEndpoint ? issuer + Path.token : nil
        introspectionEndpoint = hasTokenEndpoint ? issuer + Path.introspection : nil
        revocationEndpoint = hasTokenEndpoint ? issuer + Path.revocation : nil
        let hasAuthorization = grants.contains(.authorizationCode)
        authorizationEndpoint = hasAuthorization ? issuer + Path.authorize : nil
        userinfoEndpoint = hasAuthorization ? issuer + Path.userinfo : nil
        responseModesSupported = hasAuthorization ? ["query"] : nil
        promptValuesSupported = hasAuthorization ? ["none", "login", "consent"] : nil
        claimsSupported =
            hasAuthorization
            ? ["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "azp", "preferred_username", "sid"]
            : nil
        authorizationResponseIssParameterSupported = hasAuthorization ? true : nil
        let fapi2 = tenant.settings.securityProfile == .fapi2
        let algorithms = ClientPolicy.signingAlgorithms(tenant.settings).map(\.rawValue)
        pushedAuthorizationRequestEndpoint = hasAuthorization ? issuer + Path.pushedAuthorizationRequest : nil
        requirePushedAuthorizationRequests =
            hasAuthorization ? tenant.settings.requirePushedAuthorizationRequests || fapi2 : nil
        requestParameterSupported = hasAuthorization ? true : nil
        endSessionEndpoint = hasAuthorization ? issuer + Path.endSession : nil
        registrationEndpoint = tenant.settings.registration == .closed ? nil : issuer + Path.registration
        clientIDMetadataDocumentSupported = hasAuthorization && tenant.settings.clientIDMetadataDocuments ? true : nil
        backchannelLogoutSupported = hasAuthorization ? true : nil
        backchannelLogoutSessionSupported = hasAuthorization ? true : nil
        acrValuesSupported = hasAuthorization ? AuthenticationContext.allCases.map(\.rawValue) : nil
        requestURIParameterSupported = hasAuthorization ? false : nil
        requestObjectSigningAlgValuesSupported = hasAuthorization ? algorithms : nil
        deviceAuthorizationEndpoint = grants.contains(.deviceCode) ? issuer + Path.deviceAuthorization : nil
        grantTypesSupported = grants.map(\.rawValue)
        // RFC 8414 §2 requires the member; `code` only, as the authorization endpoint lands.
        responseTypesSupported = grants.contains(.authorizationCode) ? ["code"] : []
        scopesSupported = scopes.sorted()
        let methods = ClientAuthMethod.allCases.filter { method in
            (mutualTLS || !method.usesCertificate) && (!fapi2 || method == .privateKeyJWT || method.usesCertificate)
        }
        tokenEndpointAuthMethodsSupported = methods.map(\.rawValue)
        tlsClientCertificateBoundAccessTokens = hasTokenEndpoint && mutualTLS ? true : nil
        tokenEndpointAuthSigningAlgValuesSupported = algorithms
        dpopSigningAlgValuesSupported = hasTokenEndpoint ? algorithms : nil
        codeChallengeMethodsSupported = ["S256"]
        subjectTypesSupported = ["public"]
        idTokenSigningAlgValuesSupported = Self.idTokenSigningAlgorithms(tenant.settings)
    }

    enum CodingKeys: String, CodingKey {
        case issuer
        case jwksURI = "jwks_uri"
        case authorizationEndpoint = "authorization_endpoint"
        case userinfoEndpoint = "userinfo_endpoint"
        case responseModesSupported = "response_modes_supported"
        case promptValuesSupported = "prompt_values_supported"
        case claimsSupported = "claims_supported"
        case authorizationResponseIssParameterSupported = "authorization_response_iss_parameter_supported"
        case pushedAuthorizationRequestEndpoint = "pushed_authorization_request_endpoint"
        case requirePushedAuthorizationRequests = "require_pushed_authorization_requests"
        case requestParameterSupported = "request_parameter_supported"
        case endSessionEndpoint = "end_session_endpoint"
        case backchannelLogoutSupported = "backchannel_logout_supported"
        case backchannelLogoutSessionSupported = "backchannel_logout_session_supported"
        case acrValuesSupported = "acr_values_supported"
        case requestURIParameterSupported = "request_uri_parameter_supported"
        case requestObjectSigningAlgValuesSupported = "request_object_signing_alg_values_supported"
        case tlsClientCertificateBoundAccessTokens = "tls_client_certificate_bound_access_tokens"
        case registrationEndpoint = "registration_endpoint"
        case clientIDMetadataDocumentSupported = "client_id_metadata_document_supported"
        case tokenEndpoint = "token_endpoint"
        case introspectionEndpoint = "introspection_endpoint"
        case revocationEndpoint = "revocation_endpoint"
        case deviceAuthorizationEndpoint = "device_authorization_endpoint"
        case grantTypesSupported = "grant_types_supported"
        case responseTypesSupported = "response_types_supported"
        case scopesSupported = "scopes_supported"
        case tokenEndpointAuthMethodsSupported = "token_endpoint_auth_methods_supported"
        case tokenEndpointAuthSigningAlgValuesSupported = "token_endpoint_auth_signing_alg_values_supported"
        case dpopSigningAlgValuesSupported = "dpop_signing_alg_values_supported"
        case codeChallengeMethodsSupported = "code_challenge_methods_supported"
        case subjectTypesSupported = "subject_types_supported"
        case idTokenSigningAlgValuesSupported = "id_token_signing_alg_values_supported"
    }
}

extension AuthorizationServerMetadata {
    /// OIDC Discovery 1.0 §3 `id_token_signing_alg_values_supported`: what a client may register
    /// as `id_token_signed_response_alg`, the default (`key_algorithm`) first; RS256 is OIDC
    /// Core §15.1's mandatory one, left out under FAPI 2.0 (§5.4.1 forbids it). Ed25519 is named
    /// as RFC 9864 does, the `alg` its tokens carry.
    static func idTokenSigningAlgorithms(_ settings: TenantSettings) -> [String] {
        var algorithms = [settings.keyAlgorithm]
        for algorithm in SigningAlgorithm.idTokenAlgorithms where !algorithms.contains(algorithm) {
            if settings.securityProfile == .fapi2, algorithm == .rs256 { continue }
            algorithms.append(algorithm)
        }
        return algorithms.map(\.jwsAlgorithm)
    }
}
