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
    static let issuer = AccessClaims.issuer

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

    /// A runtime whose public URL is `publicURL` (a domain, for passkeys), otherwise as below.
    static func withRuntime<T>(
        _ backend: TestBackend, publicURL: String, _ body: (TesseraRuntime) async throws -> T
    ) async throws -> T {
        let url = try PublicURL(publicURL)
        return try await withRuntime(
            url: try await TestDatabases.freshURL(backend), masterKey: MasterKey.generate(),
            adjust: { $0.publicURL = url }, body)
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
        url: String, masterKey: MasterKey, adjust: (inout TesseraConfiguration) -> Void = { _ in },
        _ body: (TesseraRuntime) async throws -> T
    ) async throws -> T {
        let runtime = try await open(url: url, masterKey: masterKey, adjust: adjust)
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

    /// Drives the application in-process, without background services. The change follower's
    /// first round would complete startup (`/readyz`); without it, the caches are as fresh as
    /// `open` left them, so startup is marked complete here.
    static func withClient<T: Sendable>(
        _ runtime: TesseraRuntime, _ body: @Sendable (any TestClientProtocol) async throws -> T
    ) async throws -> T {
        await runtime.serving.markStarted()
        return try await buildApplication(runtime: runtime).test(.router, body)
    }
}

extension TestResponse {
    var text: String { String(decoding: body.readableBytesView, as: UTF8.self) }

    func jsonObject() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])
    }
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
