import Foundation
import Logging
import TesseraCore
import TesseraJOSE
import TesseraOAuth
import TesseraStore

/// Everything `tessera` is configured with, resolved once: flags win over `TESSERA_*`
/// environment variables, which win over defaults (INTERFACE.md, Configuration).
public struct TesseraConfiguration: Sendable {
    public var databaseURL: DatabaseURL
    public var publicURL: PublicURL
    public var host: String
    public var port: Int
    public var logLevel: Logger.Level
    public var masterKeySource: MasterKeySource
    /// Master keys that open but never seal, while a change of master key rolls through
    /// (`TESSERA_ACCEPTED_MASTER_KEYS`, comma-separated, and `TESSERA_ACCEPTED_MASTER_KEYS_FILE`,
    /// one per line; docs/master-key-change.md). Base64url texts, checked when the key is loaded.
    public var acceptedMasterKeys: [String] = []
    public var acceptedMasterKeysFile: String?
    public var bcryptCost: Int
    /// How often caches poll the change feed when no notification came (`TESSERA_CHANGE_POLL_INTERVAL`).
    public var changePollInterval: Duration = .seconds(2)
    /// How long the stateless paths keep answering from memory once the change feed cannot be
    /// read, as in a database failover (`TESSERA_STATELESS_OUTAGE_LIMIT`, seconds;
    /// docs/database-failover.md).
    public var statelessOutageLimit: Duration = .seconds(30)
    /// How often the key schedule runs (`TESSERA_KEY_SCHEDULE_INTERVAL`).
    public var keyScheduleInterval: Duration = .seconds(60)
    /// How often expired rows are purged, on one instance at a time (`TESSERA_PURGE_INTERVAL`,
    /// seconds; docs/bounded-storage.md).
    public var purgeInterval: Duration = .seconds(60)
    /// How long the change feed keeps its entries (`TESSERA_CHANGE_HISTORY`, seconds): an instance
    /// away for longer reloads its caches when it is back instead of catching up entry by entry.
    public var changeHistory: Duration = .seconds(3_600)
    /// How often this instance tells the others it serves (docs/cluster-limits.md).
    public var heartbeatInterval: Duration = .seconds(2)
    /// Seconds of clock skew allowed when checking `exp` and `nbf` of tokens (`TESSERA_TOKEN_LEEWAY`).
    public var tokenLeeway: Int = 5
    /// Where the first start writes the system admin client's credentials
    /// (`TESSERA_SYSTEM_ADMIN_FILE`; INTERFACE.md puts it under `.tessera/`).
    public var systemAdminFile: String = ".tessera/system-admin.json"
    /// Proxies whose `Client-Cert` and `X-Forwarded-For` headers are believed
    /// (`TESSERA_TRUSTED_PROXIES`; INTERFACE.md); nobody by default.
    public var trustedProxies: TrustedProxies = .none
    /// Whether outgoing requests (back-channel logout tokens, upstream identity providers) may
    /// reach loopback addresses, over plain http too (`TESSERA_OUTBOUND_ALLOW_LOOPBACK=1`;
    /// INTERFACE.md; development and tests only). Private, link-local and metadata addresses stay
    /// refused whatever the setting.
    public var outboundAllowLoopback = false
    /// `TESSERA_OUTBOUND_CA_FILE`: CA certificates (PEM) outgoing https requests trust beside the
    /// system's (upstream providers, client ID metadata documents).
    public var outboundCAFile: String?

    /// The trust of outgoing https requests.
    public var outboundTrustRoots: OutboundTrustRoots {
        outboundCAFile.map(OutboundTrustRoots.systemAndFile) ?? .system
    }
    /// The wait after a back-channel logout delivery's first failure, doubled after each further
    /// one up to 15 minutes (`TESSERA_BACKCHANNEL_RETRY_BASE`, seconds; docs/sessions.md).
    public var backchannelRetryBase: Duration = .seconds(5)
    /// The bound on a graceful shutdown, from the first SIGTERM/SIGINT to exit
    /// (`TESSERA_SHUTDOWN_TIMEOUT`, seconds; docs/rolling-restarts.md). Idle keep-alive
    /// connections are left to the client to close for the first half of it.
    public var shutdownTimeout: Duration = .seconds(10)

    /// Where the master key comes from, in the order INTERFACE.md gives.
    public enum MasterKeySource: Sendable, Equatable {
        case file(String)
        case value(String)
        /// SQLite default only: `.tessera/master.key`, made on first start.
        case generatedFile(String)
        case missing
    }

    /// The flag values as given (nil when absent).
    public struct Flags: Sendable {
        public var databaseURL: String?
        public var masterKeyFile: String?
        public var publicURL: String?
        public var host: String?
        public var port: Int?
        public var logLevel: String?
        public var bcryptCost: Int?

        public init(
            databaseURL: String? = nil, masterKeyFile: String? = nil, publicURL: String? = nil, host: String? = nil,
            port: Int? = nil, logLevel: String? = nil, bcryptCost: Int? = nil
        ) {
            self.databaseURL = databaseURL
            self.masterKeyFile = masterKeyFile
            self.publicURL = publicURL
            self.host = host
            self.port = port
            self.logLevel = logLevel
            self.bcryptCost = bcryptCost
        }
    }

    public static let defaultMasterKeyFile = ".tessera/master.key"

    public init(
        databaseURL: DatabaseURL, publicURL: PublicURL, host: String = "127.0.0.1", port: Int = 8080,
        logLevel: Logger.Level = .info, masterKeySource: MasterKeySource, bcryptCost: Int = 11
    ) {
        self.databaseURL = databaseURL
        self.publicURL = publicURL
        self.host = host
        self.port = port
        self.logLevel = logLevel
        self.masterKeySource = masterKeySource
        self.bcryptCost = bcryptCost
    }

    public static func resolve(
        _ flags: Flags, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> TesseraConfiguration {
        func value(_ flag: String?, _ name: String) -> String? {
            if let flag, !flag.isEmpty { return flag }
            if let env = environment[name], !env.isEmpty { return env }
            return nil
        }
        let databaseURL = try DatabaseURL(value(flags.databaseURL, "TESSERA_DATABASE_URL") ?? DatabaseURL.defaultValue)
        let publicURL = try PublicURL(value(flags.publicURL, "TESSERA_PUBLIC_URL") ?? "http://127.0.0.1:8080")
        let host = value(flags.host, "TESSERA_HOST") ?? "127.0.0.1"
        let portText = flags.port.map(String.init) ?? value(nil, "TESSERA_PORT") ?? "8080"
        guard let port = Int(portText), (0...65_535).contains(port) else {
            throw ConfigurationError("TESSERA_PORT '\(portText)' is not a port number (0-65535)")
        }
        let levelText = value(flags.logLevel, "TESSERA_LOG_LEVEL") ?? "info"
        guard let logLevel = Logger.Level(rawValue: levelText.lowercased()) else {
            throw ConfigurationError(
                "log level '\(levelText)' is unknown; use trace, debug, info, notice, warning, error or critical")
        }
        let costText = flags.bcryptCost.map(String.init) ?? value(nil, "TESSERA_BCRYPT_COST") ?? "11"
        guard let bcryptCost = Int(costText) else {
            throw ConfigurationError("TESSERA_BCRYPT_COST '\(costText)' is not a number")
        }

        let masterKeySource: MasterKeySource
        if let file = value(flags.masterKeyFile, "TESSERA_MASTER_KEY_FILE") {
            if flags.masterKeyFile == nil, environment["TESSERA_MASTER_KEY"].map({ !$0.isEmpty }) == true {
                throw ConfigurationError("set TESSERA_MASTER_KEY or TESSERA_MASTER_KEY_FILE, not both")
            }
            masterKeySource = .file(file)
        } else if let key = environment["TESSERA_MASTER_KEY"], !key.isEmpty {
            masterKeySource = .value(key)
        } else if case .sqlite = databaseURL {
            masterKeySource = .generatedFile(defaultMasterKeyFile)
        } else {
            masterKeySource = .missing
        }
        var configuration = TesseraConfiguration(
            databaseURL: databaseURL, publicURL: publicURL, host: host, port: port, logLevel: logLevel,
            masterKeySource: masterKeySource, bcryptCost: bcryptCost)
        configuration.changePollInterval = try seconds(environment["TESSERA_CHANGE_POLL_INTERVAL"], default: 2)
        configuration.keyScheduleInterval = try seconds(environment["TESSERA_KEY_SCHEDULE_INTERVAL"], default: 60)
        configuration.statelessOutageLimit = try seconds(environment["TESSERA_STATELESS_OUTAGE_LIMIT"], default: 30)
        configuration.acceptedMasterKeys = (environment["TESSERA_ACCEPTED_MASTER_KEYS"] ?? "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if let file = environment["TESSERA_ACCEPTED_MASTER_KEYS_FILE"], !file.isEmpty {
            configuration.acceptedMasterKeysFile = file
        }
        configuration.purgeInterval = try seconds(environment["TESSERA_PURGE_INTERVAL"], default: 60)
        configuration.changeHistory = try seconds(environment["TESSERA_CHANGE_HISTORY"], default: 3_600)
        if let leeway = environment["TESSERA_TOKEN_LEEWAY"], !leeway.isEmpty {
            guard let value = Int(leeway), (0...300).contains(value) else {
                throw ConfigurationError("TESSERA_TOKEN_LEEWAY '\(leeway)' is not a number of seconds from 0 to 300")
            }
            configuration.tokenLeeway = value
        }
        if let file = environment["TESSERA_SYSTEM_ADMIN_FILE"], !file.isEmpty { configuration.systemAdminFile = file }
        switch environment["TESSERA_OUTBOUND_ALLOW_LOOPBACK"] ?? "" {
        case "", "0", "false": configuration.outboundAllowLoopback = false
        case "1", "true": configuration.outboundAllowLoopback = true
        case let other: throw ConfigurationError("TESSERA_OUTBOUND_ALLOW_LOOPBACK '\(other)' is not 1 or 0")
        }
        if let file = environment["TESSERA_OUTBOUND_CA_FILE"], !file.isEmpty {
            guard FileManager.default.isReadableFile(atPath: file) else {
                throw ConfigurationError("TESSERA_OUTBOUND_CA_FILE '\(file)' is not a readable file")
            }
            configuration.outboundCAFile = file
        }
        configuration.backchannelRetryBase = try seconds(environment["TESSERA_BACKCHANNEL_RETRY_BASE"], default: 5)
        configuration.shutdownTimeout = try seconds(environment["TESSERA_SHUTDOWN_TIMEOUT"], default: 10)
        if let proxies = environment["TESSERA_TRUSTED_PROXIES"], !proxies.isEmpty {
            do {
                configuration.trustedProxies = try TrustedProxies(parsing: proxies)
            } catch {
                throw ConfigurationError(
                    "TESSERA_TRUSTED_PROXIES: '\(error.entry)' \(error.reason); use addresses or CIDRs, e.g. 127.0.0.1, 10.0.0.0/8, ::1"
                )
            }
        }
        return configuration
    }

    private static func seconds(_ text: String?, default value: Double) throws -> Duration {
        guard let text, !text.isEmpty else { return .milliseconds(Int(value * 1_000)) }
        guard let number = Double(text), number > 0, number <= 86_400 else {
            throw ConfigurationError("'\(text)' is not an interval in seconds (0 < s <= 86400)")
        }
        return .milliseconds(Int(number * 1_000))
    }

    /// Reads (or, on the SQLite default, creates) the master key. Never silent: a generated key
    /// is announced with a warning, a missing one with PostgreSQL is an error that says what to do.
    public func loadMasterKey(logger: Logger) throws -> MasterKey {
        let sealing = try loadSealingKey(logger: logger)
        var texts = acceptedMasterKeys
        if let file = acceptedMasterKeysFile {
            guard let contents = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ConfigurationError("TESSERA_ACCEPTED_MASTER_KEYS_FILE '\(file)' cannot be read")
            }
            texts += contents.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
        }
        let accepted = try texts.enumerated().map { index, text in
            do {
                return try MasterKey(base64URL: text)
            } catch {
                throw ConfigurationError("accepted master key \(index + 1) is unusable: \(error)")
            }
        }
        if !accepted.isEmpty {
            logger.notice(
                "Accepting further master keys for opening; sealing with TESSERA_MASTER_KEY's",
                metadata: ["accepted": "\(accepted.count)"])
        }
        return sealing.accepting(accepted)
    }

    private func loadSealingKey(logger: Logger) throws -> MasterKey {
        switch masterKeySource {
        case .file(let path):
            return try MasterKey(contentsOfFile: path)
        case .value(let text):
            do {
                return try MasterKey(base64URL: text.trimmingCharacters(in: .whitespacesAndNewlines))
            } catch {
                throw ConfigurationError("TESSERA_MASTER_KEY is unusable: \(error)")
            }
        case .generatedFile(let path):
            if FileManager.default.fileExists(atPath: path) { return try MasterKey(contentsOfFile: path) }
            let key = MasterKey.generate()
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            guard
                FileManager.default.createFile(
                    atPath: path, contents: Data((key.base64URL + "\n").utf8), attributes: [.posixPermissions: 0o600])
            else { throw ConfigurationError("cannot write a new master key to \(path)") }
            logger.warning(
                "Generated a new master key for the SQLite default; back it up, it encrypts every signing key",
                metadata: ["path": "\(path)"])
            return key
        case .missing:
            throw ConfigurationError(
                "a master key is required with PostgreSQL: set TESSERA_MASTER_KEY_FILE (or --master-key-file) to a file holding 32 random bytes in base64url, made with `tessera master-key generate > master.key`"
            )
        }
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
