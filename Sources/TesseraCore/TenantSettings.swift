import Foundation

/// Per-tenant knobs, stored as JSON with the tenant and changed by `tessera tenant settings`.
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
    public var keyAlgorithm: String = "ES256"
    /// Requests per second at the token, introspection, revocation and device endpoints; 0 = unlimited.
    public var rateLimitPerClient: Int = 200
    public var rateLimitPerAddress: Int = 400
    public var tokenExchangeMaxDepth: Int = 4

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case accessTokenTTL = "access_token_ttl"
        case refreshTokenTTL = "refresh_token_ttl"
        case refreshTokenIdleTTL = "refresh_token_idle_ttl"
        case authorizationCodeTTL = "authorization_code_ttl"
        case deviceCodeTTL = "device_code_ttl"
        case devicePollInterval = "device_poll_interval"
        case idTokenTTL = "id_token_ttl"
        case sessionTTL = "session_ttl"
        case keyRotationPeriod = "key_rotation_period"
        case keyPublishAhead = "key_publish_ahead"
        case keyAlgorithm = "key_algorithm"
        case rateLimitPerClient = "rate_limit_per_client"
        case rateLimitPerAddress = "rate_limit_per_address"
        case tokenExchangeMaxDepth = "token_exchange_max_depth"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TenantSettings.defaults
        accessTokenTTL = try c.decodeIfPresent(Int.self, forKey: .accessTokenTTL) ?? d.accessTokenTTL
        refreshTokenTTL = try c.decodeIfPresent(Int.self, forKey: .refreshTokenTTL) ?? d.refreshTokenTTL
        refreshTokenIdleTTL =
            try c.decodeIfPresent(Int.self, forKey: .refreshTokenIdleTTL) ?? d.refreshTokenIdleTTL
        authorizationCodeTTL =
            try c.decodeIfPresent(Int.self, forKey: .authorizationCodeTTL) ?? d.authorizationCodeTTL
        deviceCodeTTL = try c.decodeIfPresent(Int.self, forKey: .deviceCodeTTL) ?? d.deviceCodeTTL
        devicePollInterval = try c.decodeIfPresent(Int.self, forKey: .devicePollInterval) ?? d.devicePollInterval
        idTokenTTL = try c.decodeIfPresent(Int.self, forKey: .idTokenTTL) ?? d.idTokenTTL
        sessionTTL = try c.decodeIfPresent(Int.self, forKey: .sessionTTL) ?? d.sessionTTL
        keyRotationPeriod = try c.decodeIfPresent(Int.self, forKey: .keyRotationPeriod) ?? d.keyRotationPeriod
        keyPublishAhead = try c.decodeIfPresent(Int.self, forKey: .keyPublishAhead) ?? d.keyPublishAhead
        keyAlgorithm = try c.decodeIfPresent(String.self, forKey: .keyAlgorithm) ?? d.keyAlgorithm
        rateLimitPerClient = try c.decodeIfPresent(Int.self, forKey: .rateLimitPerClient) ?? d.rateLimitPerClient
        rateLimitPerAddress =
            try c.decodeIfPresent(Int.self, forKey: .rateLimitPerAddress) ?? d.rateLimitPerAddress
        tokenExchangeMaxDepth =
            try c.decodeIfPresent(Int.self, forKey: .tokenExchangeMaxDepth) ?? d.tokenExchangeMaxDepth
    }

    public static let defaults = TenantSettings()

    /// The setting names `tessera tenant settings --set` accepts.
    public static var names: [String] { CodingKeys.allCases.map(\.rawValue) }

    /// Applies one `KEY=VALUE` change. Durations take a plain number of seconds or a suffix
    /// (`s`, `m`, `h`, `d`), so `key_rotation_period=30d` reads as it is meant.
    public mutating func set(_ assignment: String) throws(ValidationError) {
        var changed = self
        try changed.apply(assignment)
        try changed.validate()
        self = changed
    }

    private mutating func apply(_ assignment: String) throws(ValidationError) {
        guard let equals = assignment.firstIndex(of: "=") else {
            throw ValidationError(field: "set", "expected KEY=VALUE, got '\(assignment)'")
        }
        let key = String(assignment[..<equals]).trimmingCharacters(in: .whitespaces)
        let value = String(assignment[assignment.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
        guard let name = CodingKeys(rawValue: key) else {
            throw ValidationError(
                field: key, "unknown setting; known settings: \(Self.names.joined(separator: ", "))")
        }
        switch name {
        case .accessTokenTTL: accessTokenTTL = try Self.duration(value, key, within: 30...86_400)
        case .refreshTokenTTL: refreshTokenTTL = try Self.duration(value, key, within: 60...(365 * 86_400))
        case .refreshTokenIdleTTL:
            refreshTokenIdleTTL = try Self.duration(value, key, within: 60...(365 * 86_400))
        case .authorizationCodeTTL: authorizationCodeTTL = try Self.duration(value, key, within: 10...600)
        case .deviceCodeTTL: deviceCodeTTL = try Self.duration(value, key, within: 60...3_600)
        case .devicePollInterval: devicePollInterval = try Self.duration(value, key, within: 1...60)
        case .idTokenTTL: idTokenTTL = try Self.duration(value, key, within: 60...86_400)
        case .sessionTTL: sessionTTL = try Self.duration(value, key, within: 300...(30 * 86_400))
        case .keyRotationPeriod:
            keyRotationPeriod = try Self.duration(value, key, within: 60...(365 * 86_400))
        case .keyPublishAhead: keyPublishAhead = try Self.duration(value, key, within: 10...(90 * 86_400))
        case .keyAlgorithm:
            guard SigningAlgorithm(rawValue: value)?.isPublishable == true else {
                throw ValidationError(field: key, "use one of ES256, EdDSA, RS256")
            }
            keyAlgorithm = value
        case .rateLimitPerClient: rateLimitPerClient = try Self.count(value, key)
        case .rateLimitPerAddress: rateLimitPerAddress = try Self.count(value, key)
        case .tokenExchangeMaxDepth:
            tokenExchangeMaxDepth = try Self.count(value, key, within: 1...16)
        }
    }

    /// Rules that tie settings together; checked after every change.
    public func validate() throws(ValidationError) {
        guard keyPublishAhead < keyRotationPeriod else {
            throw ValidationError(
                field: CodingKeys.keyPublishAhead.rawValue,
                "must be shorter than key_rotation_period, or the next key would never be published in time")
        }
        guard refreshTokenIdleTTL <= refreshTokenTTL else {
            throw ValidationError(
                field: CodingKeys.refreshTokenIdleTTL.rawValue, "must not exceed refresh_token_ttl")
        }
    }

    /// JWKS responses are cached by resource servers for at most this long, kept well under
    /// the publish-ahead period so a cached JWKS always already holds the key that signs next.
    public var jwksMaxAge: Int { max(1, min(3_600, keyPublishAhead / 4)) }

    static func duration(
        _ text: String, _ key: String, within range: ClosedRange<Int>
    ) throws(ValidationError)
        -> Int
    {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
        var digits = Substring(text)
        var unit = 1
        if let last = text.last, let multiplier = units[last] {
            digits = text.dropLast()
            unit = multiplier
        }
        guard let number = Int(digits), number >= 0, number <= Int(Int32.max) else {
            throw ValidationError(field: key, "'\(text)' is not a duration such as 600, 10m, 12h or 30d")
        }
        let seconds = number * unit
        guard range.contains(seconds) else {
            throw ValidationError(
                field: key, "\(seconds) s is outside the allowed range \(range.lowerBound)...\(range.upperBound) s")
        }
        return seconds
    }

    static func count(
        _ text: String, _ key: String, within range: ClosedRange<Int> = 0...1_000_000
    )
        throws(ValidationError) -> Int
    {
        guard let number = Int(text), range.contains(number) else {
            throw ValidationError(
                field: key, "'\(text)' is not a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }
}
