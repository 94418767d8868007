import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore

/// The real `tessera` binary, as the test build made it, run as a user would run it.
public enum TesseraBinary {
    public static var path: String {
        if let path = ProcessInfo.processInfo.environment["TESSERA_BINARY"], !path.isEmpty { return path }
        // Tests/TesseraTestSupport/TesseraProcess.swift → repository root → .build/debug/tessera
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/tessera").path
    }

    public typealias Result = ProcessRunner.Result

    /// Runs one command to completion.
    public static func run(
        _ arguments: [String], in directory: URL, environment: [String: String] = [:], stdin: String? = nil
    ) throws -> Result {
        try ProcessRunner.run(path, arguments, in: directory, environment: mergedEnvironment(environment), stdin: stdin)
    }

    /// The environment of the test run without any TESSERA_* setting that would leak into the
    /// process under test, plus `extra`.
    static func mergedEnvironment(_ extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("TESSERA_") || $0.key.hasPrefix("TESSERA_TEST_")
        }
        environment["TESSERA_BCRYPT_COST"] = "10"
        for (key, value) in extra { environment[key] = value }
        return environment
    }
}

/// A running `tessera serve` on a free loopback port, with its public URL set to that address so
/// the issuer in its tokens and metadata is the URL clients reach.
public final class TesseraServerProcess: @unchecked Sendable {
    public let process: Process
    public let port: Int
    public let directory: URL
    private let log: LogCollector

    public var baseURL: String { "http://127.0.0.1:\(port)" }
    public var output: String { log.text }

    /// `publicURL` defaults to the server's own address; instances behind one load balancer
    /// share one public URL, so multi-instance tests pass the same value to each.
    /// `publicHost` names that address otherwise: WebAuthn needs a domain (`localhost`) as RP id,
    /// never an IP address. `port` restarts an instance where a load balancer expects it.
    public static func start(
        in directory: URL, environment: [String: String] = [:], arguments: [String] = [], publicURL: String? = nil,
        publicHost: String = "127.0.0.1", port: Int? = nil
    ) async throws -> TesseraServerProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TesseraBinary.path)
        let chosen = try port ?? freeLoopbackPort()
        process.arguments =
            ["serve", "--port", "\(chosen)", "--public-url", publicURL ?? "http://\(publicHost):\(chosen)"] + arguments
        process.currentDirectoryURL = directory
        process.environment = TesseraBinary.mergedEnvironment(environment)
        let log = LogCollector()
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { handle in log.append(handle.availableData) }
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let port = log.listeningPort {
                return TesseraServerProcess(process: process, port: port, directory: directory, log: log)
            }
            if !process.isRunning {
                throw TestSetupError("tessera serve exited with \(process.terminationStatus): \(log.text)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw TestSetupError("tessera serve did not start within 30 s: \(log.text)")
    }

    private init(process: Process, port: Int, directory: URL, log: LogCollector) {
        self.process = process
        self.port = port
        self.directory = directory
        self.log = log
    }

    /// Sends SIGTERM and waits for the exit status.
    @discardableResult
    public func stop() async -> Int32 {
        if process.isRunning { process.terminate() }
        for _ in 0..<200 where process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Ends the process with SIGKILL, as a crash or the kernel's OOM killer would.
    public func kill9() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

final class LogCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func append(_ chunk: Data) {
        lock.lock()
        data.append(chunk)
        lock.unlock()
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }

    /// Hummingbird logs "Server started and listening on 127.0.0.1:PORT".
    var listeningPort: Int? {
        guard let range = text.range(of: "listening on ") else { return nil }
        let rest = text[range.upperBound...].prefix(while: { !$0.isNewline && $0 != " " })
        return rest.split(separator: ":").last.flatMap { Int($0) }
    }
}

/// A fresh working directory per test, as a newcomer's clone would be.
public func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-e2e-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// HTTP for end-to-end tests, on Hummingbird's test client (NIO). Foundation's URLSession on
/// Linux hangs on a 401 carrying `WWW-Authenticate`, which our token endpoint sends on purpose.
public enum HTTP {
    public struct Reply: Sendable {
        public let status: Int
        /// One value per header name (the last, when a header came several times).
        public let headers: [String: String]
        public let body: Data
        /// Every header field in order, for headers that come several times (`WWW-Authenticate`
        /// with a Bearer and a DPoP challenge).
        public var fields: [(name: String, value: String)] = []
        public var text: String { String(decoding: body, as: UTF8.self) }
        public func json() throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: body) as? [String: Any] ?? [:]
        }
        public func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
        /// Every value of the header `name`, in order.
        public func headers(named name: String) -> [String] {
            fields.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
        }
    }

    public static func request(
        _ method: String = "GET", _ url: String, headers: [String: String] = [:], body: Data? = nil
    ) async throws -> Reply {
        guard let components = URLComponents(string: url), let host = components.host, let port = components.port
        else { throw TestSetupError("bad URL \(url)") }
        var fields = HTTPFields()
        for (name, value) in headers {
            guard let field = HTTPField.Name(name) else { throw TestSetupError("bad header \(name)") }
            fields[field] = value
        }
        let path = components.percentEncodedPath + (components.percentEncodedQuery.map { "?\($0)" } ?? "")
        let client = TestClient(host: host, port: port, configuration: .init(timeout: .seconds(10)))
        client.connect()
        do {
            let response = try await client.execute(
                .init(
                    path.isEmpty ? "/" : path, method: HTTPRequest.Method(method) ?? .get, headers: fields,
                    body: body.map { ByteBuffer(bytes: $0) }))
            try await client.shutdown()
            var replyHeaders: [String: String] = [:]
            for field in response.headers { replyHeaders[field.name.canonicalName] = field.value }
            return Reply(
                status: Int(response.status.code), headers: replyHeaders,
                body: Data(response.body.map { Array($0.readableBytesView) } ?? []),
                fields: response.headers.map { ($0.name.canonicalName, $0.value) })
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    public static func form(_ fields: [String: String]) -> Data {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return Data(
            fields.sorted { $0.key < $1.key }.map { key, value in
                "\(key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
            }.joined(separator: "&").utf8)
    }
}

/// A port nothing listens on now: bound to port 0, read, released.
public func freeLoopbackPort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw TestSetupError("socket() failed") }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
    }
    guard bound == 0 else { throw TestSetupError("bind() failed") }
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    guard named == 0 else { throw TestSetupError("getsockname() failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}
