import Foundation
import HummingbirdTesting
import Synchronization
import TesseraCore
import TesseraJOSE
import TesseraOAuth
import TesseraServer
import TesseraStore
import TesseraTestSupport
import Testing

/// Runtimes on fresh databases, opened the way `tessera serve` opens them.
enum ServerFixture {
    static let publicURL = "http://127.0.0.1:8080"
    static let issuer = publicURL + "/t/acme"

    static func configuration(url: String, masterKey: MasterKey) throws -> TesseraConfiguration {
        var configuration = TesseraConfiguration(
            databaseURL: try DatabaseURL(url), publicURL: try PublicURL(publicURL),
            masterKeySource: .value(masterKey.base64URL), bcryptCost: 10)
        // Each runtime's first start writes its own file, never into the working directory.
        configuration.systemAdminFile =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("tessera-system-admin-\(UUID().uuidString).json").path
        return configuration
    }

    static func open(
        url: String, masterKey: MasterKey, adjust: (inout TesseraConfiguration) -> Void = { _ in }
    )
        async throws -> TesseraRuntime
    {
        var configuration = try configuration(url: url, masterKey: masterKey)
        adjust(&configuration)
        return try await TesseraRuntime.open(configuration: configuration, logger: TestDatabases.logger)
    }

    /// Opens a runtime on a new database of `backend`, runs `body`, and closes it whatever happens.
    static func withRuntime<T>(
        _ backend: TestBackend, masterKey: MasterKey = MasterKey.generate(),
        _ body: (TesseraRuntime) async throws -> T
    ) async throws -> T {
        try await withRuntime(url: try await TestDatabases.freshURL(backend), masterKey: masterKey, body)
    }

    /// Opens a runtime on the database at `url`, runs `body`, and closes it whatever happens.
    static func withRuntime<T>(
        url: String, masterKey: MasterKey, _ body: (TesseraRuntime) async throws -> T
    ) async throws -> T {
        let runtime = try await open(url: url, masterKey: masterKey)
        do {
            let result = try await body(runtime)
            await runtime.close()
            return result
        } catch {
            await runtime.close()
            throw error
        }
    }

    /// The tenant most tests use: `acme`, with a `current` and a `next` key.
    static func acme(_ runtime: TesseraRuntime) async throws -> Tenant {
        try await runtime.administration.createTenant(slug: "acme", name: "Acme", actor: "test")
    }

    /// Drives the application in-process, without background services.
    static func withClient<T: Sendable>(
        _ runtime: TesseraRuntime, _ body: @Sendable (any TestClientProtocol) async throws -> T
    ) async throws -> T {
        try await buildApplication(runtime: runtime).test(.router, body)
    }
}

/// What tests sign: the registered claims the verifier judges, nothing more.
struct AccessClaims: Equatable, Sendable, CompactJSONDecodable, CompactJSONEncodable {
    var iss: String
    var sub: String
    var exp: Int
    var iat: Int

    init(iss: String, sub: String, exp: Int, iat: Int) {
        self.iss = iss
        self.sub = sub
        self.exp = exp
        self.iat = iat
    }

    var compactJSON: [UInt8] {
        var writer = JSONWriter()
        writer.string("iss", iss)
        writer.string("sub", sub)
        writer.number("exp", exp)
        writer.number("iat", iat)
        return writer.finished()
    }

    init(compactJSON claims: JSONObject) throws(JSONReader.Failure) {
        iss = try claims.string("iss")
        sub = try claims.string("sub")
        exp = try claims.integer("exp")
        iat = try claims.integer("iat")
    }

    static func fresh(issuer: String = ServerFixture.issuer, lifetime: Int = 600) -> AccessClaims {
        let now = Int(Date().timeIntervalSince1970)
        return AccessClaims(iss: issuer, sub: "client-1", exp: now + lifetime, iat: now)
    }
}

extension TenantKeys {
    /// The tenant's keys as a freshly started instance would load them: from the store.
    static func load(_ tenant: Tenant, from store: any Store, masterKey: MasterKey) async throws -> TenantKeys {
        try await TenantKeys(
            tenantID: tenant.id, records: try await store.signingKeys(tenantID: tenant.id), masterKey: masterKey)
    }

    func verifyAccessToken(
        _ token: String, issuer: String = ServerFixture.issuer
    ) throws(TokenRejection) -> AccessClaims {
        try verify(token, as: AccessClaims.self, expectedType: "at+jwt", issuer: issuer, now: Date(), leeway: 60)
    }
}

extension Array where Element == SigningKeyRecord {
    func only(_ state: KeyState) throws -> SigningKeyRecord {
        let matching = filter { $0.state == state }
        try #require(matching.count == 1, "expected one \(state.rawValue) key, found \(matching.count)")
        return matching[0]
    }

    func kids(_ state: KeyState) -> Set<String> { Set(filter { $0.state == state }.map(\.kid)) }
}

/// Reading tokens and documents the way an outsider would.
enum Inspect {
    /// The `kid` of a compact JWS, read from its header without verifying anything.
    static func kid(of token: String) throws -> String {
        let header = try #require(token.split(separator: ".").first.map(String.init))
        let json = try #require(Base64URL.decode(header))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
        return try #require(object["kid"] as? String)
    }

    /// The JWKS's keys, each as its JSON object.
    static func jwksKeys(_ json: String) throws -> [[String: Any]] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        return try #require(object["keys"] as? [[String: Any]])
    }

    static func jwksKids(_ json: String) throws -> [String] {
        try jwksKeys(json).map { try #require($0["kid"] as? String) }
    }

    /// `max-age` of a `Cache-Control` value, if it has one.
    static func maxAge(_ cacheControl: String?) -> Int? {
        guard let cacheControl else { return nil }
        for directive in cacheControl.split(separator: ",") {
            let parts = directive.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == "max-age" { return Int(parts[1]) }
        }
        return nil
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let first = needle[0]
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
}

/// Private members a JWK may carry (RFC 7518 §6.2.2, §6.3.2, §6.4.1): none may ever be published.
let privateJWKMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]

extension TestResponse {
    var text: String { String(decoding: body.readableBytesView, as: UTF8.self) }

    func jsonObject() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])
    }
}

/// A clock tests move by hand, for the key schedule.
final class ManualClock: Sendable {
    private let value: Mutex<Date>

    init(_ start: Date) { value = Mutex(start) }

    var now: Date { value.withLock { $0 } }

    func set(_ date: Date) { value.withLock { $0 = date } }

    var function: @Sendable () -> Date { { self.now } }
}

/// Polls `condition` every 25 ms until it holds or `limit` passes; returns whether it held.
func eventually(within limit: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: limit)
    while true {
        if try await condition() { return true }
        if clock.now >= deadline { return false }
        try await Task.sleep(for: .milliseconds(25))
    }
}
