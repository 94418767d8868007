/// What a client registered about how requests must reach it and what its tokens are bound to:
/// the RFC 7591 client metadata of RFC 9449 §5.2, RFC 9126 §6, RFC 9101 §10.5 and RFC 8705 §3.4,
/// plus how its refresh tokens rotate. Each is off unless registered; a tenant's
/// `security_profile` may demand more of every client (`EffectiveRequirements` in TesseraOAuth).
///
/// Stored as one JSON member per requirement, under the metadata names, so a requirement added
/// later reads as its default from older rows.
public struct ClientRequirements: Sendable, Equatable, Codable {
    /// RFC 9449 §5.2 `dpop_bound_access_tokens`: token requests without a DPoP proof are refused.
    public var dpopBoundAccessTokens = false
    /// RFC 8705 §3.4 `tls_client_certificate_bound_access_tokens`: access tokens are bound to the
    /// client's certificate, and requests without one are refused.
    public var certificateBoundAccessTokens = false
    /// RFC 9126 §6 `require_pushed_authorization_requests`: the authorization endpoint takes only
    /// a `request_uri` from the PAR endpoint.
    public var pushedAuthorizationRequests = false
    /// RFC 9101 §10.5 `require_signed_request_object`: authorization requests come as a request
    /// object signed by the client.
    public var signedRequestObject = false
    /// Whether refreshing replaces the refresh token; nil takes `RefreshTokenRotation.default(for:)`.
    public var refreshTokenRotation: RefreshTokenRotation?
    /// RFC 8705 §2.1.2: for `tls_client_auth`, the one certificate attribute the client is known by.
    public var certificateSubject: CertificateSubject?
    /// The class every sign-in for this client must meet (Tessera's `required_acr`): as if each
    /// of its authorization requests asked for it with `acr_values`, but not voluntary.
    public var requiredContext: AuthenticationContext?
    /// OIDC Dynamic Client Registration 1.0 §2 `id_token_signed_response_alg`: the algorithm its
    /// ID tokens (and logout tokens, Back-Channel Logout 1.0 §2.6) are signed with. Nil: the
    /// tenant's main keys, of `key_algorithm`.
    public var idTokenSigningAlgorithm: SigningAlgorithm?

    public init(
        dpopBoundAccessTokens: Bool = false, certificateBoundAccessTokens: Bool = false,
        pushedAuthorizationRequests: Bool = false, signedRequestObject: Bool = false,
        refreshTokenRotation: RefreshTokenRotation? = nil, certificateSubject: CertificateSubject? = nil
    ) {
        self.certificateSubject = certificateSubject
        self.dpopBoundAccessTokens = dpopBoundAccessTokens
        self.certificateBoundAccessTokens = certificateBoundAccessTokens
        self.pushedAuthorizationRequests = pushedAuthorizationRequests
        self.signedRequestObject = signedRequestObject
        self.refreshTokenRotation = refreshTokenRotation
    }

    public static let none = ClientRequirements()

    enum CodingKeys: String, CodingKey {
        case dpopBoundAccessTokens = "dpop_bound_access_tokens"
        case certificateBoundAccessTokens = "tls_client_certificate_bound_access_tokens"
        case pushedAuthorizationRequests = "require_pushed_authorization_requests"
        case signedRequestObject = "require_signed_request_object"
        case refreshTokenRotation = "refresh_token_rotation"
        case requiredContext = "required_acr"
        case idTokenSigningAlgorithm = "id_token_signed_response_alg"
    }

    /// The member names of `certificateSubject`: its own metadata name.
    struct SubjectKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func flag(_ key: CodingKeys) throws -> Bool { try container.decodeIfPresent(Bool.self, forKey: key) ?? false }
        let subjects = try decoder.container(keyedBy: SubjectKey.self)
        var subject: CertificateSubject?
        for name in CertificateSubject.names {
            if let value = try subjects.decodeIfPresent(String.self, forKey: SubjectKey(stringValue: name)) {
                subject = CertificateSubject(name: name, value: value)
            }
        }
        self.init(
            dpopBoundAccessTokens: try flag(.dpopBoundAccessTokens),
            certificateBoundAccessTokens: try flag(.certificateBoundAccessTokens),
            pushedAuthorizationRequests: try flag(.pushedAuthorizationRequests),
            signedRequestObject: try flag(.signedRequestObject),
            refreshTokenRotation: try container.decodeIfPresent(
                RefreshTokenRotation.self, forKey: .refreshTokenRotation),
            certificateSubject: subject)
        requiredContext = try container.decodeIfPresent(AuthenticationContext.self, forKey: .requiredContext)
        idTokenSigningAlgorithm = try container.decodeIfPresent(
            SigningAlgorithm.self, forKey: .idTokenSigningAlgorithm)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(dpopBoundAccessTokens, forKey: .dpopBoundAccessTokens)
        try container.encode(certificateBoundAccessTokens, forKey: .certificateBoundAccessTokens)
        try container.encode(pushedAuthorizationRequests, forKey: .pushedAuthorizationRequests)
        try container.encode(signedRequestObject, forKey: .signedRequestObject)
        try container.encodeIfPresent(refreshTokenRotation, forKey: .refreshTokenRotation)
        try container.encodeIfPresent(requiredContext, forKey: .requiredContext)
        try container.encodeIfPresent(idTokenSigningAlgorithm, forKey: .idTokenSigningAlgorithm)
        if let certificateSubject {
            var subjects = encoder.container(keyedBy: SubjectKey.self)
            try subjects.encode(certificateSubject.value, forKey: SubjectKey(stringValue: certificateSubject.name))
        }
    }
}

/// RFC 8705 §2.1.2: the one attribute of its certificate a `tls_client_auth` client registered,
/// under its metadata name with its value. TesseraOAuth's `CertificateIdentity` parses and
/// matches it.
public struct CertificateSubject: Sendable, Equatable {
    public let name: String
    public let value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// RFC 8705 §2.1.2's five metadata names, in its order.
    public static let names = [
        "tls_client_auth_subject_dn", "tls_client_auth_san_dns", "tls_client_auth_san_uri", "tls_client_auth_san_ip",
        "tls_client_auth_san_email",
    ]
}

/// Whether a refresh replaces the refresh token (RFC 9700 §4.14.2).
///
/// Rotation is how a public client's stolen refresh token is noticed: the thief's use and the
/// owner's next use collide and the family is revoked. A token that is bound to its sender
/// (a confidential client's credentials, or a DPoP key) gains nothing from rotation, and FAPI 2.0
/// §5.3.2.1 asks servers not to rotate then: a lost answer would otherwise strand the client.
public enum RefreshTokenRotation: String, Sendable, Codable, CaseIterable {
    /// Each refresh returns a new refresh token; the used one is dead, and its reuse revokes the family.
    case rotate
    /// The refresh token keeps working until it expires or is revoked; refreshing returns none.
    case reuse

    /// The rotation a client gets unless it registered one: `reuse` for a confidential client
    /// whose access tokens are sender-constrained (their refresh tokens are bound to the client's
    /// authentication), `rotate` for everyone else.
    public static func `default`(for client: Client) -> RefreshTokenRotation {
        let senderConstrained =
            client.requirements.dpopBoundAccessTokens || client.requirements.certificateBoundAccessTokens
        return !client.isPublic && senderConstrained ? .reuse : .rotate
    }
}
