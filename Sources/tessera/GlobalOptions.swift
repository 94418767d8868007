import ArgumentParser
import Foundation
import Logging
import TesseraServer

/// Flags every command shares; each falls back to its `TESSERA_*` variable, then the default.
struct GlobalOptions: ParsableArguments {
    @Option(help: "Database URL: sqlite://PATH or postgres://user:pass@host:port/db (env TESSERA_DATABASE_URL).")
    var databaseURL: String?

    @Option(help: "File holding the base64url master key (env TESSERA_MASTER_KEY_FILE).")
    var masterKeyFile: String?

    @Option(help: "Base URL of every issuer, e.g. https://auth.example.com (env TESSERA_PUBLIC_URL).")
    var publicURL: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical (env TESSERA_LOG_LEVEL).")
    var logLevel: String?

    @Option(help: "bcrypt cost for new passwords, 10 to 16 (env TESSERA_BCRYPT_COST, default 11).")
    var bcryptCost: Int?

    func configuration(host: String? = nil, port: Int? = nil) throws -> TesseraConfiguration {
        try TesseraConfiguration.resolve(
            .init(
                databaseURL: databaseURL, masterKeyFile: masterKeyFile, publicURL: publicURL, host: host, port: port,
                logLevel: logLevel, bcryptCost: bcryptCost))
    }
}

/// Runs a command body with the runtime open, and turns any failure into one line on stderr and
/// exit code 1: users read a sentence, not a Swift error dump.
func withRuntime(
    _ options: GlobalOptions, host: String? = nil, port: Int? = nil,
    _ body: (TesseraRuntime) async throws -> Void
) async throws {
    do {
        let configuration = try options.configuration(host: host, port: port)
        let logger = makeLogger(level: configuration.logLevel)
        let runtime = try await TesseraRuntime.open(configuration: configuration, logger: logger)
        do {
            try await body(runtime)
        } catch {
            await runtime.close()
            throw error
        }
        await runtime.close()
    } catch let error as ExitCode {
        throw error
    } catch {
        CommandOutput.fail(error)
    }
}

func makeLogger(level: Logger.Level) -> Logger {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
    var logger = Logger(label: "tessera")
    logger.logLevel = level
    return logger
}
