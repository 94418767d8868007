import Foundation

/// Runs the Python interoperability scripts in Tests/interop with independent libraries
/// (authlib, joserfc): what they accept, no client of ours had to tolerate.
public enum Interop {
    static var folder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("interop")
    }

    public typealias Result = ProcessRunner.Result

    /// The path of one script, for tests that run it in the background themselves.
    public static func script(_ name: String) -> String { folder.appendingPathComponent(name).path }

    public static func python(_ script: String, _ arguments: [String]) throws -> Result {
        try ProcessRunner.run("/usr/bin/env", ["python3", folder.appendingPathComponent(script).path] + arguments)
    }
}

extension ProcessRunner.Result {
    /// The last line of standard output, parsed as a JSON object.
    public func json() -> [String: Any] {
        let line = stdout.split(separator: "\n").last.map(String.init) ?? ""
        return (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
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
