#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IPv4 or IPv6 address as 16 bytes: IPv4 is held in its IPv4-mapped IPv6 form
/// (`::ffff:a.b.c.d`, RFC 4291 §2.5.5.2), so that `127.0.0.1` and `::ffff:127.0.0.1` (how a
/// dual-stack socket reports an IPv4 peer) are one address and one CIDR rule covers both.
///
/// Parsing is the C library's `inet_pton`: strict dotted-quad for IPv4 (no octal, no shortened
/// forms), RFC 4291 §2.2 text for IPv6. Printing follows RFC 5952 (through `inet_ntop`).
struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// Network byte order; an IPv4 address is `0…0 ffff a b c d`.
    let bytes: [UInt8]

    static let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]

    /// Parses `text` as an IPv4 or IPv6 address. Brackets (`[::1]`) and a zone (`fe80::1%eth0`)
    /// are not part of an address and are refused; `peer(_:)` strips them for socket text.
    init?(_ text: String) {
        if text.contains(":") {
            var address = in6_addr()
            guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
            bytes = withUnsafeBytes(of: &address) { Array($0) }
        } else {
            var address = in_addr()
            guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
            bytes = Self.mappedPrefix + withUnsafeBytes(of: &address) { Array($0) }
        }
    }

    /// The 4 or 16 octets of an `iPAddress` GeneralName (RFC 5280 §4.2.1.6).
    init?(octets: some Collection<UInt8>) {
        switch octets.count {
        case 4: bytes = Self.mappedPrefix + octets
        case 16: bytes = Array(octets)
        default: return nil
        }
    }

    /// A peer address as a socket reports it: without brackets, zone or port, and possibly
    /// IPv4-mapped. Anything unreadable is nil, so it is never trusted.
    static func peer(_ text: String) -> IPAddress? {
        var text = Substring(text)
        if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if let zone = text.firstIndex(of: "%") { text = text[..<zone] }
        return IPAddress(String(text))
    }

    var isIPv4: Bool { bytes.starts(with: Self.mappedPrefix) }

    /// Dotted quad for IPv4 (mapped or not), RFC 5952 text for IPv6.
    var description: String {
        if isIPv4 { return bytes[12...].map(String.init).joined(separator: ".") }
        var address = in6_addr()
        withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)) != nil else {
            return bytes.map { String($0, radix: 16) }.joined(separator: ":")
        }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether the first `length` bits of both addresses are equal.
    func sharesPrefix(with other: IPAddress, length: Int) -> Bool {
        let whole = length / 8
        guard bytes[..<whole] == other.bytes[..<whole] else { return false }
        let rest = length % 8
        guard rest > 0 else { return true }
        let mask = UInt8(0xFF) << (8 - rest)
        return bytes[whole] & mask == other.bytes[whole] & mask
    }

    /// The address with every bit after the first `length` set to zero: a range's first address.
    func masked(to length: Int) -> IPAddress {
        var bytes = bytes
        for index in bytes.indices {
            let kept = min(8, max(0, length - index * 8))
            bytes[index] &= kept == 0 ? 0 : UInt8(0xFF) << (8 - kept)
        }
        return IPAddress(bytes: bytes)
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }
}
