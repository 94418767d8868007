import Foundation
import TesseraCore
import Testing

@Suite("Tenant rules")
struct TenantRulesTests {
    @Test(arguments: ["acme", "a", "system", "0day", "acme-eu-1", String(repeating: "a", count: 63)])
    func validSlugsAreAccepted(slug: String) throws {
        #expect(try TenantSlug(slug).rawValue == slug)
    }

    @Test(arguments: [
        "", "-acme", "Acme", "acme_eu", "acme.eu", "ac me", "ácme", String(repeating: "a", count: 64), "a/b",
    ])
    func invalidSlugsAreRefused(slug: String) {
        #expect(throws: ValidationError.self) { try TenantSlug(slug) }
    }

    @Test func issuerIsThePublicURLWithTheTenantPath() throws {
        let url = try PublicURL("https://auth.example.com/")
        #expect(url.issuer(for: try TenantSlug("acme")) == "https://auth.example.com/t/acme")
        #expect(url.isHTTPS)
    }

    @Test(arguments: ["ftp://x", "auth.example.com", "https://x/?a=b", "https://x/#f", ""])
    func publicURLMustBeHTTPWithoutQueryOrFragment(text: String) {
        #expect(throws: ValidationError.self) { try PublicURL(text) }
    }

    @Test func settingsTakeValuesWithinTheirRanges() throws {
        var settings = TenantSettings()
        try settings.apply([
            .accessTokenTTL: 600, .keyRotationPeriod: 2_592_000, .keyPublishAhead: 43_200, .rateLimitPerClient: 0,
            .keyAlgorithm: .algorithm(.edDSA),
        ])
        #expect(settings.accessTokenTTL == 600)
        #expect(settings.keyRotationPeriod == 2_592_000)
        #expect(settings.keyPublishAhead == 43_200)
        #expect(settings.rateLimitPerClient == 0)
        #expect(settings.keyAlgorithm == .edDSA)
        #expect(settings[.keyPublishAhead] == 43_200)
    }

    @Test(arguments: [
        (TenantSetting.accessTokenTTL, TenantSettingValue.integer(1)),
        (.accessTokenTTL, .algorithm(.es256)),
        (.keyAlgorithm, .algorithm(.hs256)),
        (.keyAlgorithm, .integer(5)),
        (.keyPublishAhead, .integer(365 * 86_400)),
        (.rateLimitPerClient, .integer(-1)),
        (.tokenExchangeMaxDepth, .integer(17)),
        (.auditRetention, .integer(59)),
        (.auditRetention, .integer(10 * 365 * 86_400 + 1)),
    ])
    func badSettingsAreRefusedAndLeaveSettingsUnchanged(setting: TenantSetting, value: TenantSettingValue) {
        var settings = TenantSettings()
        #expect(throws: ValidationError.self) { try settings.apply([setting: value]) }
        #expect(settings == TenantSettings.defaults)
    }

    @Test func publishAheadMustBeShorterThanTheRotationPeriod() throws {
        var settings = TenantSettings()
        try settings.apply([.keyRotationPeriod: 172_800])
        #expect(throws: ValidationError.self) { try settings.apply([.keyPublishAhead: 259_200]) }
        #expect(settings.keyPublishAhead == TenantSettings.defaults.keyPublishAhead)
        // All or none: a valid change beside an invalid one is not applied either.
        #expect(throws: ValidationError.self) {
            try settings.apply([.accessTokenTTL: 120, .keyPublishAhead: 259_200])
        }
        #expect(settings.accessTokenTTL == TenantSettings.defaults.accessTokenTTL)
    }

    @Test func jwksCacheIsShorterThanThePublishAheadPeriod() throws {
        var settings = TenantSettings()
        for ahead in [10, 60, 3_600, 86_400, 20 * 86_400] {
            try settings.apply([.keyPublishAhead: .integer(ahead)])
            #expect(settings.jwksMaxAge < settings.keyPublishAhead)
        }
    }

    @Test func everySettingRoundTripsThroughItsStoredJSON() throws {
        var settings = TenantSettings()
        try settings.apply([.sessionTTL: 600, .keyAlgorithm: .algorithm(.rs256), .devicePollInterval: 9])
        let json = try JSONEncoder().encode(settings)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(Set(object.keys) == Set(TenantSetting.all.map(\.name)))
        #expect(object["key_algorithm"] as? String == "RS256")
        #expect(try JSONDecoder().decode(TenantSettings.self, from: json) == settings)
    }

    @Test func olderStoredSettingsFillMissingValuesWithDefaults() throws {
        let settings = try JSONDecoder().decode(TenantSettings.self, from: Data(#"{"access_token_ttl":120}"#.utf8))
        #expect(settings.accessTokenTTL == 120)
        #expect(settings.keyPublishAhead == TenantSettings.defaults.keyPublishAhead)
    }
}
