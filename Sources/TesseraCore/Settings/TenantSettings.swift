import Foundation

/// Per-tenant knobs, stored as JSON with the tenant. Each property is one row of
/// `TenantSetting.all`, which drives the coding, the checks and every front end.
///
/// Durations are whole seconds. Every value has a default that is safe for production, so an
/// empty `{}` is a complete configuration and a newer server reads an older row.
public struct TenantSettings: Sendable, Equatable, Codable {
    /// Lifetime of an access token; RFC 9068 tokens cannot be recalled, so this stays short.
    public var accessTokenTTL: Int = 600
    public var refreshTokenTTL: Int = 30 * 86_400
    /// A refresh token unused for this long expires even inside its lifetime.
    public var refreshTokenIdleTTL: Int = 7 * 86_400
    public var authorizationCodeTTL: Int = 60
    public var deviceCodeTTL: Int = 600
    /// RFC 8628 §3.2 `interval`: seconds a device waits between polls (it grows by 5 at each `slow_down`).
    public var devicePollInterval: Int = 5
    public var idTokenTTL: Int = 3_600
    /// How long a sign-in at the login page lasts before the user types their password again.
    public var sessionTTL: Int = 12 * 3_600
    public var keyRotationPeriod: Int = 30 * 86_400
    /// How long a `next` key is published before it signs: it must exceed every JWKS cache period.
    public var keyPublishAhead: Int = 86_400
    public var keyAlgorithm: SigningAlgorithm = .es256
    /// Requests per second at the token, introspection, revocation and device endpoints; 0 = unlimited.
    public var rateLimitPerClient: Int = 200
    public var rateLimitPerAddress: Int = 400
    public var tokenExchangeMaxDepth: Int = 4
    public var securityProfile: SecurityProfile = .default
    /// RFC 9126 §5 for every client of the tenant, not only those that registered it.
    public var requirePushedAuthorizationRequests = false
    public var dpopNonce: DPoPNoncePolicy = .off
    public var mfa: MFAPolicy = .optional
    public var passkeyUserVerification: PasskeyUserVerification = .required
    /// A first sign-in through an upstream identity provider creates the user (just in time);
    /// off: only accounts already linked sign in that way (docs/upstream-identity-providers.md).
    public var upstreamUserCreation = false
    /// Audit events older than this are purged: a year covers the usual yearly audit, and the
    /// log stays bounded under any traffic.
    public var auditRetention: Int = 365 * 86_400
    /// Dynamic client registration (docs/dynamic-client-registration.md): closed unless opened.
    public var registration: RegistrationMode = .closed
    public var registrationMaxClients: Int = 1_000
    /// A self-registered client no token was issued to for this long is deleted.
    public var registrationUnusedTTL: Int = 90 * 86_400
    /// Registrations per minute from one address, for the whole cluster.
    public var registrationRateLimit: Int = 20
    /// A client_id that is an https URL names the client's metadata document, fetched and
    /// checked (docs/client-id-metadata-documents.md): off unless the tenant turns it on.
    public var clientIDMetadataDocuments = false

    public init() {}

    public static let defaults = TenantSettings()

    /// The value of one setting.
    public subscript(setting: TenantSetting) -> TenantSettingValue {
        switch setting.field {
        case .integer(let path): .integer(self[keyPath: path])
        case .algorithm(let path): .algorithm(self[keyPath: path])
        case .choice(let choice): .text(choice.read(self))
        case .flag(let path): .flag(self[keyPath: path])
        }
    }

    /// Applies changes all or none: each value checked against its setting, then the rules
    /// that tie settings together.
    public mutating func apply(_ changes: [TenantSetting: TenantSettingValue]) throws(ValidationError) {
        var changed = self
        for setting in TenantSetting.all {
            guard let value = changes[setting] else { continue }
            try setting.check(value)
            switch (setting.field, value) {
            case (.integer(let path), .integer(let number)): changed[keyPath: path] = number
            case (.algorithm(let path), .algorithm(let algorithm)): changed[keyPath: path] = algorithm
            case (.choice(let choice), .text(let name)) where choice.write(&changed, name): break
            case (.flag(let path), .flag(let on)): changed[keyPath: path] = on
            default: throw ValidationError(field: setting.name, "takes \(setting.kind.expected)")
            }
        }
        try changed.validate()
        self = changed
    }

    /// Rules that tie settings together; checked after every change.
    public func validate() throws(ValidationError) {
        guard keyPublishAhead < keyRotationPeriod else {
            throw ValidationError(
                field: TenantSetting.keyPublishAhead.name,
                "must be shorter than key_rotation_period, or the next key would never be published in time")
        }
        guard refreshTokenIdleTTL <= refreshTokenTTL else {
            throw ValidationError(field: TenantSetting.refreshTokenIdleTTL.name, "must not exceed refresh_token_ttl")
        }
        if securityProfile == .fapi2 {
            guard authorizationCodeTTL <= SecurityProfile.fapi2MaximumCodeLifetime else {
                throw ValidationError(
                    field: TenantSetting.authorizationCodeTTL.name,
                    "FAPI 2.0 (§5.3.2.1) allows authorization codes of at most 60 seconds")
            }
            // FAPI 2.0 §5.4.1: PS256, ES256 or EdDSA only; RS256 (PKCS#1 v1.5) is not among them.
            guard keyAlgorithm != .rs256 else {
                throw ValidationError(
                    field: TenantSetting.keyAlgorithm.name, "FAPI 2.0 (§5.4.1) signs with ES256 or EdDSA, not RS256")
            }
        }
    }

    /// JWKS responses are cached by resource servers for at most this long, kept well under
    /// the publish-ahead period so a cached JWKS always already holds the key that signs next.
    public var jwksMaxAge: Int { max(1, min(3_600, keyPublishAhead / 4)) }

    // MARK: Coding, from the table

    private struct Name: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { return nil }
    }

    /// A member missing from a stored row takes its default, so older rows stay valid as
    /// settings are added.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Name.self)
        for setting in TenantSetting.all {
            let key = Name(stringValue: setting.name)
            switch setting.field {
            case .integer(let path):
                if let value = try container.decodeIfPresent(Int.self, forKey: key) { self[keyPath: path] = value }
            case .algorithm(let path):
                if let value = try container.decodeIfPresent(SigningAlgorithm.self, forKey: key) {
                    self[keyPath: path] = value
                }
            case .choice(let choice):
                if let name = try container.decodeIfPresent(String.self, forKey: key), !choice.write(&self, name) {
                    throw DecodingError.dataCorruptedError(
                        forKey: key, in: container, debugDescription: "'\(name)' is not one of \(choice.values)")
                }
            case .flag(let path):
                if let value = try container.decodeIfPresent(Bool.self, forKey: key) { self[keyPath: path] = value }
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Name.self)
        for setting in TenantSetting.all {
            let key = Name(stringValue: setting.name)
            switch setting.field {
            case .integer(let path): try container.encode(self[keyPath: path], forKey: key)
            case .algorithm(let path): try container.encode(self[keyPath: path], forKey: key)
            case .choice(let choice): try container.encode(choice.read(self), forKey: key)
            case .flag(let path): try container.encode(self[keyPath: path], forKey: key)
            }
        }
    }
}
