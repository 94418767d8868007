// TesseraBenchSetup — used only by scripts/bench (the many-tenant phase); not part of the server.
//
//   TesseraBenchSetup COUNT OUTPUT-FILE
//
// Creates COUNT tenants `bench-00001` … each with its own signing keys (current and next, as
// `tessera tenant create` makes them), rate limits off, a scope `orders:read` and one
// confidential client, through the same `Administration` API the CLI uses, in-process and
// several at a time: 10,000 tenants through the CLI would start 40,000 processes. Reads
// TESSERA_DATABASE_URL, TESSERA_MASTER_KEY_FILE and TESSERA_PUBLIC_URL like `tessera`. Writes
// one line per tenant to OUTPUT-FILE: `slug<TAB>Basic base64(client_id:secret)`, the
// `Authorization` header the wrk scripts send.
import Foundation
import Logging
import TesseraCore
import TesseraJOSE
import TesseraOAuth
import TesseraStore

struct SetupError: Error, CustomStringConvertible {
    let description: String
}

func environment(_ name: String) throws -> String {
    guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
        throw SetupError(description: "\(name) is not set")
    }
    return value
}

/// Creates one tenant and its client; returns its line of the output file.
func provision(index: Int, administration: Administration) async throws -> String {
    let slug = String(format: "bench-%05d", index)
    let tenant = try await administration.updateSettings(
        of: try await administration.createTenant(slug: slug, name: nil, actor: "bench"),
        [.rateLimitPerClient: 0, .rateLimitPerAddress: 0], actor: "bench")
    _ = try await administration.createScope(in: tenant, name: "orders:read", description: nil, actor: "bench")
    let created = try await administration.createClient(
        in: tenant,
        Administration.ClientRegistration(
            name: "bench", scopes: ["orders:read"], audiences: ["https://api.example.com"]),
        actor: "bench")
    guard let secret = created.secret else { throw SetupError(description: "client of \(slug) has no secret") }
    // RFC 6749 §2.3.1: id and secret are form-encoded before joining; ours need no escaping.
    let basic = Data("\(created.client.id):\(secret)".utf8).base64EncodedString()
    return "\(slug)\tBasic \(basic)"
}

let arguments = CommandLine.arguments
guard arguments.count == 3, let count = Int(arguments[1]), count > 0 else {
    FileHandle.standardError.write(Data("usage: TesseraBenchSetup COUNT OUTPUT-FILE\n".utf8))
    exit(2)
}
let output = arguments[2]
var logger = Logger(label: "tessera.bench-setup")
logger.logLevel = .warning

do {
    let store = try await DatabaseURL(try environment("TESSERA_DATABASE_URL")).open(logger: logger)
    let masterKey = try MasterKey(contentsOfFile: try environment("TESSERA_MASTER_KEY_FILE"))
    let administration = Administration(
        store: store, publicURL: try PublicURL(try environment("TESSERA_PUBLIC_URL")),
        passwords: try PasswordHasher(), keyProvisioner: TenantKeyProvisioner(masterKey: masterKey))
    _ = try await store.migrate()
    let started = ContinuousClock.now
    // A few at a time: enough to keep PostgreSQL and both cores busy, within the pool's size.
    let parallel = 8
    var lines = [String](repeating: "", count: count)
    try await withThrowingTaskGroup(of: (Int, String).self) { group in
        var next = 1
        while next <= min(parallel, count) {
            let index = next
            group.addTask { (index, try await provision(index: index, administration: administration)) }
            next += 1
        }
        while let (index, line) = try await group.next() {
            lines[index - 1] = line
            if next <= count {
                let index = next
                group.addTask { (index, try await provision(index: index, administration: administration)) }
                next += 1
            }
        }
    }
    try (lines.joined(separator: "\n") + "\n").write(toFile: output, atomically: true, encoding: .utf8)
    let seconds = (ContinuousClock.now - started).components.seconds
    FileHandle.standardError.write(Data("bench-setup: \(count) tenants with keys and a client in \(seconds) s\n".utf8))
    await store.close()
} catch {
    FileHandle.standardError.write(Data("bench-setup: error: \(error)\n".utf8))
    exit(1)
}
