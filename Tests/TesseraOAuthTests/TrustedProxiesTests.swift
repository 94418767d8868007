import TesseraOAuth
import Testing

/// RFC 9440 §4: the `Client-Cert` header is believed only from the proxies the operator named.
@Suite("Trusted proxies")
struct TrustedProxiesTests {
    static let list = "127.0.0.1, 10.0.0.0/8, ::1, fd00::/8, 192.168.1.0/24,2001:db8:1::/48"

    @Test(arguments: [
        "127.0.0.1", "10.0.0.0", "10.1.2.3", "10.255.255.255", "192.168.1.0", "192.168.1.254",
        "::1", "0:0:0:0:0:0:0:1", "[::1]", "fd00::1", "fdff:ffff::1", "2001:db8:1:ffff::1",
        // IPv4 peers of a dual-stack socket arrive IPv4-mapped.
        "::ffff:127.0.0.1", "::FFFF:10.9.8.7", "::ffff:c0a8:0101",
    ])
    func aPeerInTheListIsTrusted(_ peer: String) throws {
        #expect(try TrustedProxies(parsing: Self.list).contains(peer))
    }

    @Test(arguments: [
        "127.0.0.2", "11.0.0.1", "9.255.255.255", "192.168.2.1", "::2", "fe80::1", "fc00::1", "2001:db8:2::1",
        "::ffff:127.0.0.2", "::ffff:11.0.0.1",
        // The IPv4-compatible form (deprecated, RFC 4291 §2.5.5.1) is not the mapped one.
        "::127.0.0.1",
        "", "localhost", "127.0.0.1:8080", "10.1.2.3/8", "10.0.0.256", "not an address",
    ])
    func anyOtherPeerIsNot(_ peer: String) throws {
        #expect(try !TrustedProxies(parsing: Self.list).contains(peer))
    }

    @Test func aMappedEntryCoversThePlainIPv4Peer() throws {
        let proxies = try TrustedProxies(parsing: "::ffff:10.0.0.0/104")
        #expect(proxies.contains("10.20.30.40"))
        #expect(!proxies.contains("11.0.0.1"))
    }

    @Test func aZoneOnALinkLocalPeerIsIgnored() throws {
        #expect(try TrustedProxies(parsing: "fe80::/10").contains("fe80::1%eth0"))
    }

    @Test func whitespaceAroundEntriesIsIgnoredAndEntriesAreKept() throws {
        let proxies = try TrustedProxies(parsing: "  127.0.0.1 ,\t::1  ")
        #expect(proxies.entries == ["127.0.0.1", "::1"])
        #expect(proxies.description == "127.0.0.1, ::1")
    }

    @Test func anEmptyListTrustsNoOne() throws {
        for list in ["", "   "] {
            let proxies = try TrustedProxies(parsing: list)
            #expect(proxies.isEmpty)
            #expect(!proxies.contains("127.0.0.1"))
        }
        #expect(!TrustedProxies.none.contains("::1"))
    }

    @Test func zeroLengthPrefixesTrustEveryPeerOfTheirFamily() throws {
        let ipv4 = try TrustedProxies(parsing: "0.0.0.0/0")
        #expect(ipv4.contains("203.0.113.9"))
        #expect(ipv4.contains("::ffff:203.0.113.9"))
        #expect(!ipv4.contains("2001:db8::1"))
        #expect(try TrustedProxies(parsing: "::/0").contains("2001:db8::1"))
    }

    @Test(arguments: [
        ("127.0.0.1,", "empty entry"),
        (",127.0.0.1", "empty entry"),
        ("127.0.0.1,,::1", "empty entry"),
        ("localhost", "not an IPv4 or IPv6 address"),
        ("127.0.0", "not an IPv4 or IPv6 address"),
        ("127.0.0.256", "not an IPv4 or IPv6 address"),
        ("127.000.0.1", "not an IPv4 or IPv6 address"),
        ("[::1]", "not an IPv4 or IPv6 address"),
        ("fe80::1%eth0", "not an IPv4 or IPv6 address"),
        ("::1::2", "not an IPv4 or IPv6 address"),
        ("10.0.0.0/33", "prefix length"),
        ("10.0.0.0/", "prefix length"),
        ("10.0.0.0/-1", "prefix length"),
        ("10.0.0.0/08", "prefix length"),
        ("10.0.0.0/8/8", "more than one '/'"),
        ("fd00::/129", "prefix length"),
        ("10.0.0.1/8", "host bits"),
        ("fd00::1/8", "host bits"),
        ("192.168.1.1/24", "host bits"),
        ("127.0.0.1 10.0.0.1", "not an IPv4 or IPv6 address"),
    ])
    func aMalformedEntryIsRefusedNamingIt(_ list: String, _ reason: String) {
        let error = #expect(throws: TrustedProxies.ParseError.self) { try TrustedProxies(parsing: list) }
        #expect(error?.reason.contains(reason) == true, "\(error?.description ?? "")")
        #expect(error?.description.contains("'\(error?.entry ?? "?")'") == true)
    }
}
