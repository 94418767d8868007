import ArgumentParser
import Hummingbird
import TesseraServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Apply pending migrations, then serve HTTP until SIGTERM or SIGINT.")

    @OptionGroup var options: GlobalOptions

    @Option(help: "Address to listen on (env TESSERA_HOST, default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (env TESSERA_PORT, default 8080).")
    var port: Int?

    func run() async throws {
        try await withRuntime(options, host: host, port: port) { runtime in
            runtime.logger.info(
                "Tessera is serving",
                metadata: [
                    "address": "\(runtime.configuration.host):\(runtime.configuration.port)",
                    "public_url": "\(runtime.configuration.publicURL)",
                    "database": "\(runtime.store.backend.rawValue)",
                ])
            if !runtime.passkeys.relyingParty.isUsable {
                runtime.logger.notice(
                    "Passkeys are off: WebAuthn needs a domain name in the public URL, not an address (for development, --public-url http://localhost:\(runtime.configuration.port))"
                )
            }
            // Graceful and bounded: on SIGTERM/SIGINT in-flight requests finish, then the store
            // closes (docs/rolling-restarts.md).
            try await serve(runtime: runtime)
        }
    }
}

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply pending database migrations and exit.")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        // Opening the runtime migrates (under a lock) and makes the system tenant.
        try await withRuntime(options) { _ in print("Database is up to date.") }
    }
}
