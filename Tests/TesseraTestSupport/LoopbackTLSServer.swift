import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SwiftASN1
import Synchronization
import X509

/// An https server on 127.0.0.1 for tests of outgoing requests that must be https (client ID
/// metadata documents): a certificate of its own for 127.0.0.1 and localhost, made here, which
/// the fetcher under test is told to trust (`certificatePEM`). Each request gets the answer
/// `respond` gives, after `delay`; it counts accepted connections, so a test can assert that a
/// refused request never connected.
public final class LoopbackTLSServer: Sendable {
    public typealias Request = LoopbackHTTPServer.Request
    public typealias Answer = LoopbackHTTPServer.Answer

    public let port: Int
    public let certificatePEM: [UInt8]
    private let channel: any Channel
    private let accepted: Counter
    private let log: RequestLog

    final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    final class RequestLog: Sendable {
        let requests = Mutex<[Request]>([])
    }

    public init(delay: Duration = .zero, _ respond: @escaping @Sendable (Request) -> Answer) async throws {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName("localhost") }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3_600), notValidAfter: now.addingTimeInterval(86_400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                try SubjectAlternativeNames([
                    .dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                ])
                try ExtendedKeyUsage([.serverAuth])
            }, issuerPrivateKey: .init(key))
        let pem = try certificate.serializeAsPEM().pemString
        certificatePEM = Array(pem.utf8)
        let tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(pem.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(key.pemRepresentation.utf8), format: .pem)))
        let context = try NIOSSLContext(configuration: tls)
        let accepted = Counter()
        let log = RequestLog()
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                accepted.value.add(1, ordering: .sequentiallyConsistent)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        Responder(delay: delay, log: log, respond: respond))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
        self.accepted = accepted
        self.log = log
    }

    public var url: String { "https://127.0.0.1:\(port)" }
    public var connections: Int { accepted.value.load(ordering: .sequentiallyConsistent) }
    public var received: [Request] { log.requests.withLock { $0 } }

    public func stop() async {
        try? await channel.close()
    }

    final class Responder: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let delay: Duration
        let log: RequestLog
        let respond: @Sendable (Request) -> Answer
        private var head: HTTPRequestHead?
        private var body: [UInt8] = []

        init(delay: Duration, log: RequestLog, respond: @escaping @Sendable (Request) -> Answer) {
            self.delay = delay
            self.log = log
            self.respond = respond
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = []
            case .body(var buffer):
                body += buffer.readBytes(length: buffer.readableBytes) ?? []
            case .end:
                guard let head else { return }
                var headers: [String: String] = [:]
                for (name, value) in head.headers { headers[name.lowercased()] = value }
                let request = Request(
                    method: head.method.rawValue, target: head.uri, headers: headers,
                    body: String(decoding: body, as: UTF8.self))
                log.requests.withLock { $0.append(request) }
                let answer = respond(request)
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                let milliseconds = Int64(
                    delay.components.seconds * 1_000 + delay.components.attoseconds / 1_000_000_000_000_000)
                context.eventLoop.scheduleTask(in: .milliseconds(milliseconds)) {
                    let context = bound.value
                    var headers = HTTPHeaders(answer.headers)
                    headers.replaceOrAdd(name: "Content-Length", value: "\(answer.body.count)")
                    headers.replaceOrAdd(name: "Connection", value: "close")
                    context.write(
                        NIOAny(
                            HTTPServerResponsePart.head(
                                HTTPResponseHead(
                                    version: .http1_1, status: .init(statusCode: answer.status), headers: headers))),
                        promise: nil)
                    context.write(
                        NIOAny(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: answer.body)))), promise: nil)
                    context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).whenComplete { _ in
                        bound.value.close(promise: nil)
                    }
                }
            }
        }
    }
}
