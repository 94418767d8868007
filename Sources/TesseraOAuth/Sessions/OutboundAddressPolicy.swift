import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which addresses the server's outgoing requests (back-channel logout tokens) may reach:
/// public addresses only; loopback only with `TESSERA_OUTBOUND_ALLOW_LOOPBACK=1` (development
/// and tests); private, shared, link-local (cloud metadata), unspecified and multicast
/// addresses never, whatever the setting (DESIGN.md "Outgoing requests").
///
/// The host is resolved here and every address it resolves to must pass. The HTTP client then
/// resolves it again to connect, so a name whose answer changes between the two (DNS
/// rebinding) is not caught; docs/sessions.md records that limit.
public struct OutboundAddressPolicy: Sendable {
    public let allowLoopback: Bool

    public init(allowLoopback: Bool) { self.allowLoopback = allowLoopback }

    /// Why `host` may not be contacted, or nil when it may.
    public func refusal(host: String) async -> String? {
        let bare = host.trimmingCharacters(in: ["[", "]"])
        let addresses: [IPAddress]
        if let literal = IPAddress(bare) {
            addresses = [literal]
        } else {
            do {
                addresses = try await NIOThreadPool.singleton.runIfActive { Self.resolve(bare) }
            } catch {
                return "cannot resolve \(bare)"
            }
        }
        guard !addresses.isEmpty else { return "cannot resolve \(bare)" }
        for address in addresses {
            if let reason = refusal(address) { return "\(bare) resolves to \(address), \(reason)" }
        }
        return nil
    }

    func refusal(_ address: IPAddress) -> String? {
        if Self.loopback.contains(where: { address.sharesPrefix(with: $0.0, length: $0.1) }) {
            return allowLoopback ? nil : "a loopback address (allowed only with TESSERA_OUTBOUND_ALLOW_LOOPBACK=1)"
        }
        if Self.neverReached.contains(where: { address.sharesPrefix(with: $0.0, length: $0.1) }) {
            return "a private, link-local or reserved address"
        }
        return nil
    }

    /// 127.0.0.0/8 and ::1, as prefixes of the 16-byte form (IPv4 is mapped: 96 bits first).
    static let loopback: [(IPAddress, Int)] = ranges([("127.0.0.0", 104), ("::1", 128)])
    /// RFC 1918, RFC 6598 shared space, RFC 3927 and RFC 4291 link-local (metadata services
    /// live there), RFC 4193 unique local, unspecified, multicast.
    static let neverReached: [(IPAddress, Int)] = ranges([
        ("0.0.0.0", 104), ("10.0.0.0", 104), ("100.64.0.0", 106), ("169.254.0.0", 112), ("172.16.0.0", 108),
        ("192.168.0.0", 112), ("224.0.0.0", 100), ("240.0.0.0", 100), ("::", 128), ("fc00::", 7), ("fe80::", 10),
        ("ff00::", 8),
    ])

    private static func ranges(_ entries: [(String, Int)]) -> [(IPAddress, Int)] {
        entries.compactMap { text, length in IPAddress(text).map { ($0, length) } }
    }

    /// Every address `host` resolves to (getaddrinfo; blocking, so run on the thread pool).
    static func resolve(_ host: String) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin)
            hints.ai_socktype = SOCK_STREAM
        #else
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var addresses: [IPAddress] = []
        var cursor = list
        while let entry = cursor {
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            if let socketAddress = entry.pointee.ai_addr {
                switch entry.pointee.ai_family {
                case AF_INET:
                    socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                        var address = pointer.pointee.sin_addr
                        _ = inet_ntop(AF_INET, &address, &buffer, socklen_t(buffer.count))
                    }
                case AF_INET6:
                    socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                        var address = pointer.pointee.sin6_addr
                        _ = inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count))
                    }
                default: break
                }
            }
            let text = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if let address = IPAddress(text) { addresses.append(address) }
            cursor = entry.pointee.ai_next
        }
        return addresses
    }
}
