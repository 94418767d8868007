import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 for tests of outgoing requests: each connection gets the
/// answer `respond` gives for its request line and body, then is closed. It counts the
/// connections it accepted, so a test can assert that a refused request never connected.
public final class LoopbackHTTPServer: Sendable {
    public struct Request: Sendable {
        public let method: String
        public let target: String
        public let headers: [String: String]
        public let body: String
    }

    public struct Answer: Sendable {
        public let status: Int
        public let headers: [(String, String)]
        public let body: [UInt8]

        public init(status: Int = 200, headers: [(String, String)] = [], body: String) {
            self.status = status
            self.headers = headers
            self.body = Array(body.utf8)
        }

        public init(status: Int = 200, headers: [(String, String)] = [], bytes: [UInt8]) {
            self.status = status
            self.headers = headers
            self.body = bytes
        }

        public static func json(_ text: String, headers: [(String, String)] = []) -> Answer {
            Answer(headers: [("Content-Type", "application/json")] + headers, body: text)
        }
    }

    public let port: Int
    private let socket: Int32
    private let accepted = Atomic<Int>(0)
    private let requests = Mutex<[Request]>([])
    private let respond: @Sendable (Request) -> Answer

    /// Listens at once; serves until `stop`.
    public init(_ respond: @escaping @Sendable (Request) -> Answer) throws {
        #if canImport(Glibc)
            let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = Darwin.socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var reuse: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: address.sin_port))
        self.socket = fd
        self.respond = respond
        let thread = Thread { [self] in self.serve() }
        thread.start()
    }

    public var url: String { "http://127.0.0.1:\(port)" }
    /// How many connections were accepted so far.
    public var connections: Int { accepted.load(ordering: .sequentiallyConsistent) }
    public var received: [Request] { requests.withLock { $0 } }

    public func stop() {
        shutdown(socket, Int32(SHUT_RDWR))
        close(socket)
    }

    private func serve() {
        while true {
            let connection = accept(socket, nil, nil)
            guard connection >= 0 else { return }
            accepted.add(1, ordering: .sequentiallyConsistent)
            handle(connection)
            close(connection)
        }
    }

    private func handle(_ connection: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var headerEnd: Int?
        var contentLength = 0
        while true {
            let count = recv(connection, &buffer, buffer.count, 0)
            if count <= 0 { break }
            data.append(contentsOf: buffer[0..<count])
            if headerEnd == nil, let range = data.firstRange(of: Array("\r\n\r\n".utf8)) {
                headerEnd = range.upperBound
                let head = String(decoding: data[..<range.lowerBound], as: UTF8.self).lowercased()
                for line in head.split(separator: "\r\n") where line.hasPrefix("content-length:") {
                    contentLength =
                        Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
            if let headerEnd, data.count >= headerEnd + contentLength { break }
        }
        guard let headerEnd else { return }
        let head = String(decoding: data[..<(headerEnd - 4)], as: UTF8.self).split(separator: "\r\n")
        let requestLine = head.first?.split(separator: " ") ?? []
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 {
                headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces)
            }
        }
        let request = Request(
            method: requestLine.first.map(String.init) ?? "",
            target: requestLine.dropFirst().first.map(String.init) ?? "",
            headers: headers, body: String(decoding: data[headerEnd...], as: UTF8.self))
        requests.withLock { $0.append(request) }
        let answer = respond(request)
        var text = "HTTP/1.1 \(answer.status) X\r\nContent-Length: \(answer.body.count)\r\nConnection: close\r\n"
        for (name, value) in answer.headers { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        let bytes = Array(text.utf8) + answer.body
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes {
                send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if count <= 0 { return }
            sent += count
        }
    }
}
