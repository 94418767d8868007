import Foundation
import TesseraServer
import Testing

/// `TESSERA_TRUSTED_PROXIES` (INTERFACE.md): addresses and ranges whose `Client-Cert` and
/// `X-Forwarded-For` are believed; nobody by default, and a malformed entry stops the start with
/// the entry named.
@Suite("Trusted proxies configuration")
struct TrustedProxiesConfigurationTests {
    @Test func nobodyIsTrustedUnlessListed() throws {
        let configuration = try TesseraConfiguration.resolve(.init(), environment: [:])
        #expect(configuration.trustedProxies.isEmpty)
        #expect(!configuration.trustedProxies.contains("127.0.0.1"))
    }

    @Test func listedAddressesAndRangesAreTrusted() throws {
        let configuration = try TesseraConfiguration.resolve(
            .init(), environment: ["TESSERA_TRUSTED_PROXIES": "127.0.0.2, 10.0.0.0/8, ::1"])
        #expect(configuration.trustedProxies.contains("127.0.0.2"))
        #expect(configuration.trustedProxies.contains("10.20.30.40"))
        #expect(configuration.trustedProxies.contains("::1"))
        #expect(!configuration.trustedProxies.contains("127.0.0.1"))
    }

    @Test(arguments: ["10.0.0.1/8", "localhost", "127.0.0.1,", "300.1.1.1", "::1/129"])
    func aMalformedEntryStopsTheStartNamingIt(_ value: String) throws {
        do {
            _ = try TesseraConfiguration.resolve(.init(), environment: ["TESSERA_TRUSTED_PROXIES": value])
            Issue.record("'\(value)' was accepted")
        } catch let error as ConfigurationError {
            #expect(error.description.contains("TESSERA_TRUSTED_PROXIES"), "\(error)")
        }
    }
}
