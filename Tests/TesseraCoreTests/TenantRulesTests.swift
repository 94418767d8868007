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

    @Test func settingsAcceptDurationsWithUnits() throws {
        var settings = TenantSettings()
        try settings.set("access_token_ttl=10m")
        try settings.set("key_rotation_period=30d")
        try settings.set("key_publish_ahead=12h")
        try settings.set("rate_limit_per_client=0")
        #expect(settings.accessTokenTTL == 600)
        #expect(settings.keyRotationPeriod == 2_592_000)
        #expect(settings.keyPublishAhead == 43_200)
        #expect(settings.rateLimitPerClient == 0)
    }

    @Test(arguments: [
        "nope=1", "access_token_ttl", "access_token_ttl=ten", "access_token_ttl=1", "key_algorithm=HS256",
        "key_publish_ahead=365d", "rate_limit_per_client=-1",
    ])
    func badSettingsAreRefusedAndLeaveSettingsUnchanged(assignment: String) {
        var settings = TenantSettings()
        #expect(throws: ValidationError.self) { try settings.set(assignment) }
        #expect(settings == TenantSettings.defaults)
    }

    @Test func publishAheadMustBeShorterThanTheRotationPeriod() throws {
        var settings = TenantSettings()
        try settings.set("key_rotation_period=2d")
        #expect(throws: ValidationError.self) { try settings.set("key_publish_ahead=3d") }
        #expect(settings.keyPublishAhead == TenantSettings.defaults.keyPublishAhead)
    }

    @Test func jwksCacheIsShorterThanThePublishAheadPeriod() throws {
        var settings = TenantSettings()
        for ahead in ["10s", "1m", "1h", "1d", "20d"] {
            try settings.set("key_publish_ahead=\(ahead)")
            #expect(settings.jwksMaxAge < settings.keyPublishAhead)
        }
    }

    @Test func olderStoredSettingsFillMissingValuesWithDefaults() throws {
        let settings = try JSONDecoder().decode(TenantSettings.self, from: Data(#"{"access_token_ttl":120}"#.utf8))
        #expect(settings.accessTokenTTL == 120)
        #expect(settings.keyPublishAhead == TenantSettings.defaults.keyPublishAhead)
    }
}
