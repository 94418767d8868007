import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one guarded HTTP client for requests the server makes on behalf of a tenant's
/// configuration (DESIGN.md "Outgoing requests"): upstream identity providers now, client ID
/// metadata documents and client `jwks_uri` next.
///
/// Every request, in order:
/// - the URL is absolute `https` without credentials; `http` only to a loopback host when the
///   policy allows loopback (development and tests);
/// - the host is resolved here, and every address it resolves to must pass
///   `OutboundAddressPolicy` (one bad record refuses the host: no choosing among answers);
/// - the connection is made to exactly the address that was checked (AsyncHTTPClient's
///   `dnsOverride` pins the host to it, while TLS still verifies the certificate for the host
///   name), so a second, different DNS answer cannot slip in between check and connect;
/// - redirects are not followed, the answer is bounded in size, and the whole exchange in time.
public struct OutboundFetcher: Sendable {
    public let policy: OutboundAddressPolicy
    public let timeout: TimeAmount
    public let maximumBytes: Int
    public let trustRoots: OutboundTrustRoots
    /// Host names to addresses: the system resolver; tests give names their own answers to
    /// prove that a name resolving to a refused address is refused (no traffic goes there).
    let resolver: @Sendable (String) async throws(OutboundFailure) -> [IPAddress]

    public init(
        policy: OutboundAddressPolicy, timeoutSeconds: Int64 = 5, maximumBytes: Int = 256 * 1024,
        trustRoots: OutboundTrustRoots = .system
    ) {
        self.init(
            policy: policy, timeoutSeconds: timeoutSeconds, maximumBytes: maximumBytes, trustRoots: trustRoots,
            resolver: Self.resolve)
    }

    init(
        policy: OutboundAddressPolicy, timeoutSeconds: Int64, maximumBytes: Int, trustRoots: OutboundTrustRoots,
        resolver: @escaping @Sendable (String) async throws(OutboundFailure) -> [IPAddress]
    ) {
        self.policy = policy
        self.timeout = .seconds(timeoutSeconds)
        self.maximumBytes = maximumBytes
        self.trustRoots = trustRoots
        self.resolver = resolver
    }

    public func get(_ url: String, accept: String) async throws(OutboundFailure) -> OutboundResponse {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "Accept", value: accept)
        return try await send(request, url: url)
    }

    /// An `application/x-www-form-urlencoded` POST (RFC 6749 §4.1.3 token requests).
    public func postForm(
        _ url: String, body: String, headers: [(String, String)] = []
    ) async throws(OutboundFailure) -> OutboundResponse {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        return try await send(request, url: url)
    }

    /// The checks a request to `url` would pass through, without the request: its form, and
    /// every address its host resolves to.
    public func check(_ url: String) async throws(OutboundFailure) {
        _ = try await checkedAddress(of: try target(of: url))
    }

    // MARK: - The checks

    struct Target: Equatable {
        let host: String
        let port: Int
        let secure: Bool
    }

    /// The URL's host and port, once its form passes.
    func target(of url: String) throws(OutboundFailure) -> Target {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            var host = components.host, !host.isEmpty
        else { throw .refusedURL("not an absolute URL") }
        guard components.user == nil, components.password == nil else {
            throw .refusedURL("it carries credentials")
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        switch scheme {
        case "https":
            return Target(host: host, port: components.port ?? 443, secure: true)
        case "http":
            // Plain http to anything but loopback is refused before any name is looked up.
            guard policy.allowLoopback else { throw .refusedURL("https only") }
            return Target(host: host, port: components.port ?? 80, secure: false)
        default:
            throw .refusedURL("https only")
        }
    }

    /// The address to connect to: every address of the host passes the policy (for plain http,
    /// every one is loopback).
    func checkedAddress(of target: Target) async throws(OutboundFailure) -> IPAddress {
        let addresses: [IPAddress]
        if let literal = IPAddress.peer(target.host) {
            addresses = [literal]
        } else {
            addresses = try await resolver(target.host)
        }
        guard let first = addresses.first else { throw .unresolvable(host: target.host) }
        for address in addresses {
            if let reason = policy.refusal(for: address) {
                throw .refusedAddress(host: target.host, reason: reason)
            }
            if !target.secure, OutboundAddressPolicy.kind(of: address) != .loopback {
                throw .refusedURL("https only (plain http only to a loopback address)")
            }
        }
        return first
    }

    func send(_ request: HTTPClientRequest, url: String) async throws(OutboundFailure) -> OutboundResponse {
        let target = try target(of: url)
        let address = try await checkedAddress(of: target)
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: timeout, read: timeout),
            decompression: .disabled)
        configuration.dnsOverride = [target.host: address.description]
        configuration.httpVersion = .http1Only
        if !trustRoots.additional.isEmpty {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.additionalTrustRoots = trustRoots.additional
            configuration.tlsConfiguration = tls
        }
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        let result: Result<OutboundResponse, OutboundFailure>
        do {
            result = .success(try await exchange(request, on: client))
        } catch let failure as OutboundFailure {
            result = .failure(failure)
        } catch {
            result = .failure(.unreachable("\(error)"))
        }
        // The client closes its connection in the background: a server that stalls past the
        // deadline would otherwise hold the caller until it hangs up.
        Task { try? await client.shutdown() }
        return try result.get()
    }

    private func exchange(_ request: HTTPClientRequest, on client: HTTPClient) async throws -> OutboundResponse {
        let response = try await client.execute(request, deadline: .now() + timeout)
        let status = Int(response.status.code)
        if (300..<400).contains(status) { throw OutboundFailure.redirected(status: status) }
        if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > maximumBytes {
            throw OutboundFailure.tooLarge(limit: maximumBytes)
        }
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: maximumBytes)
        } catch is NIOTooManyBytesError {
            throw OutboundFailure.tooLarge(limit: maximumBytes)
        }
        return OutboundResponse(
            status: status, contentType: response.headers.first(name: "Content-Type"),
            cacheControl: response.headers.first(name: "Cache-Control"), body: Array(buffer: body))
    }

    /// The host's addresses from the system resolver (getaddrinfo), off the event loops.
    static func resolve(_ host: String) async throws(OutboundFailure) -> [IPAddress] {
        let addresses: [IPAddress]?
        do {
            addresses = try await NIOThreadPool.singleton.runIfActive { lookUp(host) }
        } catch {
            throw .unresolvable(host: host)
        }
        guard let addresses, !addresses.isEmpty else { throw .unresolvable(host: host) }
        return addresses
    }

    private static func lookUp(_ host: String) -> [IPAddress]? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin)
            hints.ai_socktype = SOCK_STREAM
        #else
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let head = list else { return nil }
        defer { freeaddrinfo(head) }
        var result: [IPAddress] = []
        var entry: UnsafeMutablePointer<addrinfo>? = head
        while let current = entry {
            if let socketAddress = current.pointee.ai_addr {
                switch Int32(current.pointee.ai_family) {
                case AF_INET:
                    let address = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                        $0.pointee.sin_addr
                    }
                    if let parsed = withUnsafeBytes(of: address, { IPAddress(octets: $0) }) { result.append(parsed) }
                case AF_INET6:
                    let address = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                        $0.pointee.sin6_addr
                    }
                    if let parsed = withUnsafeBytes(of: address, { IPAddress(octets: $0) }) { result.append(parsed) }
                default: break
                }
            }
            entry = current.pointee.ai_next
        }
        return result
    }
}
