/// Which addresses the server may open a connection to when it fetches something a tenant's
/// admin or a client named (an upstream provider's metadata, keys and token endpoint): public
/// addresses only. Loopback only when the deployment allows it (`TESSERA_OUTBOUND_ALLOW_LOOPBACK=1`,
/// development and tests). Private, link-local (cloud metadata services live at 169.254.169.254
/// and fd00:ec2::254), multicast, reserved and unspecified addresses are refused whatever the
/// setting: a server-side request forgery must not reach the inside of the network
/// (RFC 9700 §4.15 in spirit; the OWASP SSRF cheat sheet's list).
public struct OutboundAddressPolicy: Sendable, Equatable {
    public let allowLoopback: Bool

    public init(allowLoopback: Bool) {
        self.allowLoopback = allowLoopback
    }

    /// What an address is, for the policy.
    enum Kind: Equatable {
        case global
        case loopback
        case refused(String)
    }

    /// The ranges never contacted, with the reason the refusal names.
    static let refusedRanges: [(String, Int, String)] = [
        ("0.0.0.0", 8, "an unspecified (\"this network\") address"),
        ("10.0.0.0", 8, "a private address (RFC 1918)"),
        ("100.64.0.0", 10, "a shared address (RFC 6598)"),
        ("169.254.0.0", 16, "a link-local or metadata address"),
        ("172.16.0.0", 12, "a private address (RFC 1918)"),
        ("192.0.0.0", 24, "an IETF protocol address"),
        ("192.0.2.0", 24, "a documentation address"),
        ("192.168.0.0", 16, "a private address (RFC 1918)"),
        ("198.18.0.0", 15, "a benchmarking address"),
        ("198.51.100.0", 24, "a documentation address"),
        ("203.0.113.0", 24, "a documentation address"),
        ("224.0.0.0", 4, "a multicast address"),
        ("240.0.0.0", 4, "a reserved address"),
        ("::", 128, "the unspecified address"),
        ("64:ff9b::", 96, "a NAT64 address (it may translate to a private one)"),
        ("64:ff9b:1::", 48, "a NAT64 address (it may translate to a private one)"),
        ("2001:db8::", 32, "a documentation address"),
        ("2002::", 16, "a 6to4 address (it may embed a private one)"),
        ("fc00::", 7, "a unique local address (RFC 4193), where fd00:ec2::254 metadata lives"),
        ("fe80::", 10, "a link-local address"),
        ("fec0::", 10, "a site-local address"),
        ("ff00::", 8, "a multicast address"),
    ].map { text, length, reason in
        // IPv4 ranges apply to the IPv4-mapped form `IPAddress` holds them in.
        (text, text.contains(":") ? length : length + 96, reason)
    }

    static let ranges: [(IPAddress, Int, String)] = refusedRanges.compactMap { text, length, reason in
        IPAddress(text).map { ($0, length, reason) }
    }

    static let loopbackRanges: [(IPAddress, Int)] = [("127.0.0.0", 104), ("::1", 128)].compactMap { text, length in
        IPAddress(text).map { ($0, length) }
    }

    static func kind(of address: IPAddress) -> Kind {
        if loopbackRanges.contains(where: { address.sharesPrefix(with: $0.0, length: $0.1) }) { return .loopback }
        // The broadcast address is in 240.0.0.0/4 already.
        if let (_, _, reason) = ranges.first(where: { address.sharesPrefix(with: $0.0, length: $0.1) }) {
            return .refused(reason)
        }
        return .global
    }

    /// Nil when the address may be contacted; the reason otherwise.
    func refusal(for address: IPAddress) -> String? {
        switch Self.kind(of: address) {
        case .global: nil
        case .loopback: allowLoopback ? nil : "a loopback address (allowed only with TESSERA_OUTBOUND_ALLOW_LOOPBACK=1)"
        case .refused(let reason): reason
        }
    }
}
