import Foundation

/// The TLS-terminating proxies whose `Client-Cert` header (RFC 9440) is believed.
///
/// RFC 9440 §2 and §4: the header is only as trustworthy as the hop that set it. A proxy that
/// verified the client's TLS certificate removes any `Client-Cert` the client sent and sets its
/// own; a request that reaches Tessera from anywhere else could carry any certificate it likes.
/// So the header is taken only from a peer in this list, and ignored from every other peer.
///
/// The operator writes the list as comma-separated IPv4 and IPv6 addresses and CIDR ranges,
/// e.g. `127.0.0.1, 10.0.0.0/8, ::1, fd00::/8`. IPv4 entries also cover the IPv4-mapped form a
/// dual-stack socket reports (`::ffff:10.1.2.3`). An empty list trusts no peer.
public struct TrustedProxies: Sendable, Equatable, CustomStringConvertible {
    /// One address (a range of the full length) or CIDR range.
    struct Range: Sendable, Equatable {
        let network: IPAddress
        /// Prefix length over the 128-bit form (an IPv4 /n is /96+n).
        let prefixLength: Int

        func contains(_ address: IPAddress) -> Bool {
            address.sharesPrefix(with: network, length: prefixLength)
        }
    }

    /// An entry of the list that is not an address or a CIDR range.
    public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        public let entry: String
        public let reason: String

        public var description: String { "trusted proxy entry '\(entry)': \(reason)" }
    }

    let ranges: [Range]
    /// The entries as the operator wrote them (trimmed), for logs and `description`.
    public let entries: [String]

    /// Trusts no peer: the `Client-Cert` header is always ignored.
    public static let none = TrustedProxies(ranges: [], entries: [])

    private init(ranges: [Range], entries: [String]) {
        self.ranges = ranges
        self.entries = entries
    }

    /// Parses the operator's list. Every entry must be an address or a CIDR range with no host
    /// bits set (`10.0.0.1/8` is refused: `10.0.0.0/8` says what is meant); an empty entry
    /// between commas is refused too, since it is most likely a typo.
    public init(parsing list: String) throws(ParseError) {
        let trimmed = list.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else {
            self = .none
            return
        }
        var ranges: [Range] = []
        var entries: [String] = []
        for piece in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let entry = piece.trimmingCharacters(in: .whitespaces)
            ranges.append(try Self.range(entry))
            entries.append(entry)
        }
        self.init(ranges: ranges, entries: entries)
    }

    /// Whether `peer`, the address of the connection's other end as the server reports it
    /// (`127.0.0.1`, `::1`, `::ffff:127.0.0.1`; brackets and a zone are tolerated), is trusted.
    /// An unreadable address is not.
    public func contains(_ peer: String) -> Bool {
        guard let address = IPAddress.peer(peer) else { return false }
        return ranges.contains { $0.contains(address) }
    }

    public var isEmpty: Bool { ranges.isEmpty }

    public var description: String { entries.joined(separator: ", ") }

    private static func range(_ entry: String) throws(ParseError) -> Range {
        guard !entry.isEmpty else { throw ParseError(entry: entry, reason: "empty entry (two commas in a row?)") }
        let parts = entry.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { throw ParseError(entry: entry, reason: "more than one '/'") }
        guard let address = IPAddress(String(parts[0])) else {
            throw ParseError(entry: entry, reason: "not an IPv4 or IPv6 address")
        }
        let written = parts[0].contains(":") ? 128 : 32
        guard parts.count == 2 else { return Range(network: address, prefixLength: 128) }
        let text = parts[1]
        guard !text.isEmpty, text.count <= 3, text.allSatisfy({ $0.isASCII && $0.isNumber }), let length = Int(text),
            length <= written, text == "0" || !text.hasPrefix("0")
        else {
            throw ParseError(entry: entry, reason: "the prefix length must be a number from 0 to \(written)")
        }
        let prefixLength = 128 - written + length
        // The range's own address must be its first one: no host bits beyond the prefix.
        guard address.masked(to: prefixLength) == address else {
            throw ParseError(entry: entry, reason: "host bits are set beyond the /\(length) prefix")
        }
        return Range(network: address, prefixLength: prefixLength)
    }
}
