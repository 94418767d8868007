/// One per-tenant setting: its name (the stored JSON member, the CLI's `--set` key, the admin
/// API's property), the values it takes, and a one-line description. `TenantSetting.all` is the
/// one table every front end derives from: decoding and encoding of stored rows, validation, the
/// CLI's `--set`, the admin API's schema and docs/tenant-settings.md (a test compares them).
public struct TenantSetting: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Whole seconds within the range.
        case duration(ClosedRange<Int>)
        /// A whole number within the range.
        case count(ClosedRange<Int>)
        /// A publishable signing algorithm (ES256, EdDSA, RS256).
        case signingAlgorithm
        /// One of the named values.
        case choice([String])
        /// On or off (`true`, `false`).
        case flag
    }

    enum Field: Sendable {
        case integer(WritableKeyPath<TenantSettings, Int> & Sendable)
        case algorithm(WritableKeyPath<TenantSettings, SigningAlgorithm> & Sendable)
        case choice(Choice)
        case flag(WritableKeyPath<TenantSettings, Bool> & Sendable)
    }

    /// A setting whose values are the cases of a string enum, read and written by name.
    struct Choice: Sendable {
        let values: [String]
        let read: @Sendable (TenantSettings) -> String
        /// Sets the value named `name`; false when there is no such value.
        let write: @Sendable (inout TenantSettings, String) -> Bool

        init<Value: RawRepresentable & CaseIterable & Sendable>(
            _ path: WritableKeyPath<TenantSettings, Value> & Sendable
        ) where Value.RawValue == String {
            values = Value.allCases.map(\.rawValue)
            read = { $0[keyPath: path].rawValue }
            write = { settings, name in
                guard let value = Value(rawValue: name) else { return false }
                settings[keyPath: path] = value
                return true
            }
        }
    }

    public let name: String
    public let kind: Kind
    /// What the setting decides, in one line (docs and the admin API's schema show it).
    public let summary: String
    let field: Field

    public var description: String { name }
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.name == rhs.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    public var defaultValue: TenantSettingValue { TenantSettings.defaults[self] }

    /// The setting named `name`, if there is one.
    public static func named(_ name: String) -> TenantSetting? { all.first { $0.name == name } }

    /// Whether `value` is of this setting's kind and within its range; the reason otherwise.
    public func check(_ value: TenantSettingValue) throws(ValidationError) {
        switch (kind, value) {
        case (.duration(let range), .integer(let seconds)):
            guard range.contains(seconds) else {
                throw ValidationError(
                    field: name, "\(seconds) s is outside the allowed range \(range.lowerBound)...\(range.upperBound) s"
                )
            }
        case (.count(let range), .integer(let number)):
            guard range.contains(number) else {
                throw ValidationError(
                    field: name, "\(number) is not a whole number in \(range.lowerBound)...\(range.upperBound)")
            }
        case (.signingAlgorithm, .algorithm(let algorithm)):
            guard algorithm.isPublishable else { throw ValidationError(field: name, "use one of ES256, EdDSA, RS256") }
        case (.choice(let values), .text(let text)):
            guard values.contains(text) else {
                throw ValidationError(field: name, "'\(text)' is not one of \(values.joined(separator: ", "))")
            }
        case (.flag, .flag):
            break
        default:
            throw ValidationError(field: name, "takes \(kind.expected), not \(value)")
        }
    }
}

extension TenantSetting.Kind {
    var expected: String {
        switch self {
        case .duration: "a duration in seconds"
        case .count: "a whole number"
        case .signingAlgorithm: "a signing algorithm"
        case .choice(let values): "one of \(values.joined(separator: ", "))"
        case .flag: "true or false"
        }
    }
}

/// A setting's value: seconds and counts are integers, the key algorithm is an algorithm, a
/// choice is the name of one of its values.
public enum TenantSettingValue: Sendable, Equatable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    case integer(Int)
    case algorithm(SigningAlgorithm)
    case text(String)
    case flag(Bool)

    public init(integerLiteral value: Int) { self = .integer(value) }

    public var description: String {
        switch self {
        case .integer(let value): String(value)
        case .algorithm(let algorithm): algorithm.rawValue
        case .text(let text): text
        case .flag(let on): String(on)
        }
    }
}

extension TenantSetting {
    public static let accessTokenTTL = TenantSetting(
        name: "access_token_ttl", kind: .duration(30...86_400), summary: "lifetime of access tokens",
        field: .integer(\.accessTokenTTL))
    public static let refreshTokenTTL = TenantSetting(
        name: "refresh_token_ttl", kind: .duration(60...(365 * 86_400)),
        summary: "absolute lifetime of a refresh token family", field: .integer(\.refreshTokenTTL))
    public static let refreshTokenIdleTTL = TenantSetting(
        name: "refresh_token_idle_ttl", kind: .duration(60...(365 * 86_400)),
        summary: "unused this long, a refresh token expires (at most refresh_token_ttl)",
        field: .integer(\.refreshTokenIdleTTL))
    public static let authorizationCodeTTL = TenantSetting(
        name: "authorization_code_ttl", kind: .duration(10...600), summary: "lifetime of an authorization code",
        field: .integer(\.authorizationCodeTTL))
    public static let deviceCodeTTL = TenantSetting(
        name: "device_code_ttl", kind: .duration(60...3_600), summary: "lifetime of a device code",
        field: .integer(\.deviceCodeTTL))
    public static let devicePollInterval = TenantSetting(
        name: "device_poll_interval", kind: .duration(1...60),
        summary: "how often a device may poll the token endpoint (grows by 5 s at each slow_down)",
        field: .integer(\.devicePollInterval))
    public static let idTokenTTL = TenantSetting(
        name: "id_token_ttl", kind: .duration(60...86_400), summary: "lifetime of OpenID Connect ID tokens",
        field: .integer(\.idTokenTTL))
    public static let sessionTTL = TenantSetting(
        name: "session_ttl", kind: .duration(300...(30 * 86_400)),
        summary: "how long a sign-in at the login page lasts (sealed cookie)", field: .integer(\.sessionTTL))
    public static let keyRotationPeriod = TenantSetting(
        name: "key_rotation_period", kind: .duration(60...(365 * 86_400)),
        summary: "how long a key signs before the next takes over", field: .integer(\.keyRotationPeriod))
    public static let keyPublishAhead = TenantSetting(
        name: "key_publish_ahead", kind: .duration(10...(90 * 86_400)),
        summary: "how long the next key is in the JWKS before it signs (shorter than key_rotation_period)",
        field: .integer(\.keyPublishAhead))
    public static let keyAlgorithm = TenantSetting(
        name: "key_algorithm", kind: .signingAlgorithm, summary: "algorithm of new keys",
        field: .algorithm(\.keyAlgorithm))
    public static let rateLimitPerClient = TenantSetting(
        name: "rate_limit_per_client", kind: .count(0...1_000_000),
        summary:
            "requests/s per client at the token, introspection, revocation and device endpoints; 0 = no limit",
        field: .integer(\.rateLimitPerClient))
    public static let rateLimitPerAddress = TenantSetting(
        name: "rate_limit_per_address", kind: .count(0...1_000_000),
        summary: "the same per client IP address; 0 = no limit", field: .integer(\.rateLimitPerAddress))
    public static let tokenExchangeMaxDepth = TenantSetting(
        name: "token_exchange_max_depth", kind: .count(1...16), summary: "longest act chain token exchange builds",
        field: .integer(\.tokenExchangeMaxDepth))
    public static let securityProfile = TenantSetting(
        name: "security_profile", choice: \.securityProfile,
        summary: "fapi2: the FAPI 2.0 Security Profile's rules for every client (docs/fapi2.md)")
    public static let requirePushedAuthorizationRequests = TenantSetting(
        name: "require_pushed_authorization_requests", kind: .flag,
        summary: "authorization requests only through the PAR endpoint (RFC 9126 §5), for every client",
        field: .flag(\.requirePushedAuthorizationRequests))
    public static let dpopNonce = TenantSetting(
        name: "dpop_nonce", choice: \.dpopNonce,
        summary: "required: DPoP proofs carry a server nonce (RFC 9449 §8), answered by use_dpop_nonce")

    public static let mfa = TenantSetting(
        name: "mfa", choice: \.mfa,
        summary: "second factors: off; optional (asked of users who enrolled one); required (everyone enrols)")
    public static let passkeyUserVerification = TenantSetting(
        name: "passkey_user_verification", choice: \.passkeyUserVerification,
        summary: "required: passkeys verify the user (PIN, biometrics), so one is two factors; preferred; discouraged")

    public static let auditRetention = TenantSetting(
        name: "audit_retention", kind: .duration(60...(10 * 365 * 86_400)),
        summary: "how long audit events are kept; older ones are purged (docs/bounded-storage.md)",
        field: .integer(\.auditRetention))

    public static let upstreamUserCreation = TenantSetting(
        name: "upstream_user_creation", kind: .flag,
        summary:
            "a first sign-in through an upstream identity provider creates the user (linked by iss and sub); off: linked accounts only",
        field: .flag(\.upstreamUserCreation))

    public static let registration = TenantSetting(
        name: "registration", choice: \.registration,
        summary:
            "who may register clients (RFC 7591): closed; initial_access_token (an administrator's token); open (docs/dynamic-client-registration.md)"
    )
    public static let registrationMaxClients = TenantSetting(
        name: "registration_max_clients", kind: .count(0...1_000_000),
        summary: "how many clients no administrator made the tenant may hold",
        field: .integer(\.registrationMaxClients))
    public static let registrationUnusedTTL = TenantSetting(
        name: "registration_unused_ttl", kind: .duration(3_600...(365 * 86_400)),
        summary: "a self-registered client no token was issued to for this long is deleted",
        field: .integer(\.registrationUnusedTTL))
    public static let registrationRateLimit = TenantSetting(
        name: "registration_rate_limit", kind: .count(1...10_000),
        summary: "registrations per minute from one IP address, for the whole cluster",
        field: .integer(\.registrationRateLimit))
    public static let clientIDMetadataDocuments = TenantSetting(
        name: "client_id_metadata_documents", kind: .flag,
        summary:
            "a client_id that is an https URL is the client's metadata document, fetched and checked (docs/client-id-metadata-documents.md)",
        field: .flag(\.clientIDMetadataDocuments))

    /// The table, in the order documents show it.
    public static let all: [TenantSetting] = [
        accessTokenTTL, refreshTokenTTL, refreshTokenIdleTTL, authorizationCodeTTL, deviceCodeTTL, devicePollInterval,
        idTokenTTL, sessionTTL, keyRotationPeriod, keyPublishAhead, keyAlgorithm, rateLimitPerClient,
        rateLimitPerAddress, tokenExchangeMaxDepth, securityProfile, requirePushedAuthorizationRequests, dpopNonce,
        mfa, passkeyUserVerification, upstreamUserCreation, auditRetention, registration, registrationMaxClients,
        registrationUnusedTTL, registrationRateLimit, clientIDMetadataDocuments,
    ]
}

extension TenantSetting {
    init<Value: RawRepresentable & CaseIterable & Sendable>(
        name: String, choice path: WritableKeyPath<TenantSettings, Value> & Sendable, summary: String
    ) where Value.RawValue == String {
        let choice = Choice(path)
        self.init(name: name, kind: .choice(choice.values), summary: summary, field: .choice(choice))
    }
}
