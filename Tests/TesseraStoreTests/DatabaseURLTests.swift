import TesseraStore
import Testing

/// `--database-url` as libpq reads it (libpq §34.1.1.2), with a host list for failover
/// (docs/database-failover.md).
@Suite("Database URL")
struct DatabaseURLTests {
    func settings(_ text: String) throws -> DatabaseURL.PostgresSettings {
        guard case .postgres(let settings) = try DatabaseURL(text) else {
            throw StoreError.configuration("not a PostgreSQL URL: \(text)")
        }
        return settings
    }

    func refusal(_ text: String) -> String {
        do {
            _ = try DatabaseURL(text)
            return "accepted"
        } catch let error as StoreError {
            guard case .configuration(let why) = error else { return "wrong error \(error)" }
            return why
        } catch {
            return "wrong error \(error)"
        }
    }

    @Test func aOneHostURLReadsAsItAlwaysDid() throws {
        let parsed = try settings("postgres://tessera:s%40cret@db.internal:6543/auth?sslmode=require&pool=7")
        #expect(parsed.hosts == [PostgresHost(host: "db.internal", port: 6543)])
        #expect(parsed.targetSessionAttributes == .any)
        #expect(parsed.username == "tessera")
        #expect(parsed.password == "s@cret")
        #expect(parsed.database == "auth")
        #expect(parsed.sslmode == "require")
        #expect(parsed.maximumConnections == 7)
        let defaults = try settings("postgresql://db")
        #expect(defaults.hosts == [PostgresHost(host: "db", port: 5432)])
        #expect(defaults.username == "postgres")
        #expect(defaults.password == nil)
        #expect(defaults.database == "postgres")
        #expect(defaults.sslmode == "disable")
        #expect(defaults.maximumConnections == 20)
        #expect(try settings("postgres://alice@db").database == "alice")
    }

    @Test func aHostListKeepsItsOrderAndEachHostItsPort() throws {
        let parsed = try settings(
            "postgres://user:pw@h1:5432,h2:5433/db?target_session_attrs=read-write")
        #expect(parsed.hosts == [PostgresHost(host: "h1", port: 5432), PostgresHost(host: "h2", port: 5433)])
        #expect(parsed.targetSessionAttributes == .readWrite)
        #expect(parsed.username == "user")
        #expect(parsed.password == "pw")
        #expect(parsed.database == "db")
    }

    @Test func aHostWithoutAPortGets5432() throws {
        #expect(
            try settings("postgres://h1,h2:6000,h3/db").hosts == [
                PostgresHost(host: "h1"), PostgresHost(host: "h2", port: 6000), PostgresHost(host: "h3"),
            ])
    }

    @Test func ipv6AddressesAreWrittenInBrackets() throws {
        #expect(
            try settings("postgres://u@[::1]:5433,[fe80::1],127.0.0.1:5434/db?target_session_attrs=primary").hosts == [
                PostgresHost(host: "::1", port: 5433), PostgresHost(host: "fe80::1"),
                PostgresHost(host: "127.0.0.1", port: 5434),
            ])
        #expect(PostgresHost(host: "::1", port: 5433).description == "[::1]:5433")
        #expect(PostgresHost(host: "h1", port: 5432).description == "h1:5432")
    }

    @Test func everyLibpqNameOfAWritableTargetIsTaken() throws {
        #expect(try settings("postgres://h1,h2/db?target_session_attrs=any").targetSessionAttributes == .any)
        #expect(
            try settings("postgres://h1,h2/db?target_session_attrs=read-write").targetSessionAttributes == .readWrite)
        #expect(try settings("postgres://h1,h2/db?target_session_attrs=primary").targetSessionAttributes == .primary)
        #expect(try settings("postgres://h1,h2/db").targetSessionAttributes == .any)
    }

    @Test(arguments: ["read-only", "standby", "prefer-standby", "READ-WRITE", ""])
    func targetsThatSeekAStandbyOrAreUnknownAreRefused(_ value: String) {
        let why = refusal("postgres://h1,h2/db?target_session_attrs=\(value)")
        #expect(why.contains("target_session_attrs '\(value)' is not supported"), "\(why)")
    }

    @Test(arguments: [
        ("postgres://h1,,h2/db", "empty entry in its host list"),
        ("postgres://h1,/db", "empty entry in its host list"),
        ("postgres://,h1/db", "empty entry in its host list"),
        ("postgres://u@/db", "has no host"),
        ("postgres:///db", "has no host"),
        ("postgres://h1:0/db", "port must be a number from 1 to 65535"),
        ("postgres://h1:65536/db", "port must be a number from 1 to 65535"),
        ("postgres://h1:54x2/db", "port must be a number from 1 to 65535"),
        ("postgres://h1:/db", "port must be a number from 1 to 65535"),
        ("postgres://h1:-1/db", "port must be a number from 1 to 65535"),
        ("postgres://:5432/db", "names a port without a host"),
        ("postgres://::1/db", "IPv6 address in brackets"),
        ("postgres://h1,fe80::1:5432/db", "IPv6 address in brackets"),
        ("postgres://[::1/db", "lacks its ']'"),
        ("postgres://[::1]5432/db", "only ':port' may follow"),
        ("postgres://[db.internal]:5432/db", "brackets hold an IPv6 address"),
        ("postgres://[::1]:/db", "port must be a number from 1 to 65535"),
        ("postgres://h 1/db", "is not a host name"),
        ("mysql://h1/db", "use sqlite://PATH or postgres://"),
        ("postgres:/h1/db", "use sqlite://PATH or postgres://"),
    ])
    func malformedHostListsAreRefusedWithTheReason(_ text: String, _ reason: String) {
        let why = refusal(text)
        #expect(why.hasPrefix("invalid database URL: "), "\(text): \(why)")
        #expect(why.contains(reason), "\(text): \(why)")
    }

    @Test func theOtherParametersAreCheckedForAHostListToo() {
        #expect(refusal("postgres://h1,h2/db?sslmode=prefer").contains("sslmode must be"))
        #expect(refusal("postgres://h1,h2/db?pool=0").contains("pool must be"))
    }
}
