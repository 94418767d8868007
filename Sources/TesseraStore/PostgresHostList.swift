/// One server of a PostgreSQL URL's host list.
public struct PostgresHost: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int = 5432) {
        self.host = host
        self.port = port
    }

    /// `host:port`, with an IPv6 address in brackets as it is written in a URL.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Which server of several a connection may use, as libpq's `target_session_attrs` names it
/// (libpq §34.1.2): `any` takes the first that answers, `read-write` the first whose sessions
/// accept writes (`transaction_read_only` is off), `primary` the first not in recovery
/// (`pg_is_in_recovery()` is false; the name libpq ≥ 14 gives it). The standby-seeking values
/// (`read-only`, `standby`, `prefer-standby`) are refused: Tessera writes on every request path.
public enum TargetSessionAttributes: String, Sendable, Equatable, CaseIterable {
    case any
    case readWrite = "read-write"
    case primary
}

/// The authority of a `postgres://` URL, split the way libpq reads a multi-host URL
/// (libpq §34.1.1.2: `postgresql://[userspec@][hostspec][,...][/dbname][?params]`), since
/// `URLComponents` refuses a comma-separated host list.
struct PostgresHostList: Equatable {
    /// What came before the last `@` of the authority, still percent-encoded; nil without one.
    var userInfo: String?
    var hosts: [PostgresHost]
    /// The part after the authority: `/database?query`, possibly empty.
    var remainder: Substring

    /// `text` without its `scheme://`.
    init(afterScheme text: Substring) throws(StoreError) {
        let authorityEnd = text.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? text.endIndex
        let authority = text[..<authorityEnd]
        remainder = text[authorityEnd...]
        var hostPart = authority
        if let at = authority.lastIndex(of: "@") {
            userInfo = String(authority[..<at])
            hostPart = authority[authority.index(after: at)...]
        }
        guard !hostPart.isEmpty else { throw Self.bad("postgres URL has no host") }
        hosts = try hostPart.split(separator: ",", omittingEmptySubsequences: false).map(Self.host)
    }

    /// One `host`, `host:port`, `[v6]` or `[v6]:port`; a missing port is 5432 (libpq's default).
    private static func host(_ text: Substring) throws(StoreError) -> PostgresHost {
        guard !text.isEmpty else { throw bad("postgres URL has an empty entry in its host list") }
        let name: Substring
        let portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw bad("'\(text)': an IPv6 address lacks its ']'") }
            name = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            guard name.contains(":"), !name.contains(where: { !($0.isHexDigit || $0 == ":" || $0 == ".") }) else {
                throw bad("'\(text)': brackets hold an IPv6 address")
            }
            if after.isEmpty {
                portText = nil
            } else {
                guard after.hasPrefix(":") else { throw bad("'\(text)': only ':port' may follow an IPv6 address") }
                portText = after.dropFirst()
            }
        } else {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw bad("'\(text)': write an IPv6 address in brackets, as [::1]:5432") }
            name = parts[0]
            portText = parts.count == 2 ? parts[1] : nil
            guard !name.isEmpty else { throw bad("'\(text)' names a port without a host") }
            guard !name.contains(where: { $0.isWhitespace || "[]%\\".contains($0) }) else {
                throw bad("'\(name)' is not a host name")
            }
        }
        guard let portText else { return PostgresHost(host: String(name), port: 5432) }
        guard !portText.isEmpty, portText.allSatisfy(\.isASCIIDigit), let port = Int(portText),
            (1...65_535).contains(port)
        else { throw bad("'\(text)': the port must be a number from 1 to 65535") }
        return PostgresHost(host: String(name), port: port)
    }

    static func bad(_ why: String) -> StoreError { StoreError.configuration("invalid database URL: \(why)") }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
