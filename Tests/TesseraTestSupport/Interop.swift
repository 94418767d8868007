import Foundation

/// Runs the Python interoperability scripts in Tests/interop with independent libraries
/// (authlib, joserfc): what they accept, no client of ours had to tolerate.
public enum Interop {
    static var folder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("interop")
    }

    public struct Result: Sendable {
        public let status: Int32
        public let output: String
        public let errors: String
        public func json() -> [String: Any] {
            let line = output.split(separator: "\n").last.map(String.init) ?? ""
            return (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
        }
    }

    public static func python(_ script: String, _ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", folder.appendingPathComponent(script).path] + arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, output: String(decoding: stdout, as: UTF8.self),
            errors: String(decoding: stderr, as: UTF8.self))
    }
}

/// The header of a compact JWS, decoded without any verification (for asserting `kid`/`alg`).
public func jwtHeader(_ token: String) -> [String: Any] {
    guard let first = token.split(separator: ".").first else { return [:] }
    var base64 = first.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
    guard let data = Data(base64Encoded: base64) else { return [:] }
    return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
}
