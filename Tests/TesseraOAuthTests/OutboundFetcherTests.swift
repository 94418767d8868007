import Foundation
import TesseraTestSupport
import Testing

@testable import TesseraOAuth

/// The guarded fetcher refuses before it connects: a listener that must stay silent proves no
/// connection was made where the refused target is one we can listen on (loopback).
@Suite("Outbound fetcher")
struct OutboundFetcherTests {
    static let strict = OutboundFetcher(policy: OutboundAddressPolicy(allowLoopback: false), timeoutSeconds: 3)
    static let development = OutboundFetcher(
        policy: OutboundAddressPolicy(allowLoopback: true), timeoutSeconds: 3, maximumBytes: 1_024)

    static func failure(_ fetcher: OutboundFetcher, _ url: String) async -> OutboundFailure? {
        do {
            _ = try await fetcher.get(url, accept: "application/json")
            return nil
        } catch {
            return error
        }
    }

    @Test func plainHTTPToAnotherHostIsRefusedBeforeAnyLookup() async {
        #expect(
            await Self.failure(Self.strict, "http://example.com/.well-known/openid-configuration")
                == .refusedURL("https only"))
        #expect(await Self.failure(Self.strict, "ftp://example.com/") == .refusedURL("https only"))
        #expect(await Self.failure(Self.strict, "/relative") == .refusedURL("not an absolute URL"))
        #expect(
            await Self.failure(Self.strict, "https://user:pw@example.com/") == .refusedURL("it carries credentials"))
    }

    @Test(arguments: [
        "https://10.1.2.3/", "https://172.16.0.1/", "https://192.168.1.1/", "https://169.254.169.254/latest/meta-data/",
        "https://[fd00:ec2::254]/", "https://[fe80::1]/", "https://[::ffff:192.168.0.1]/", "https://0.0.0.0/",
        "https://100.64.0.1/", "https://[::]/", "https://224.0.0.1/",
    ])
    func privateLinkLocalAndMetadataAddressesAreAlwaysRefused(url: String) async {
        for fetcher in [Self.strict, Self.development] {
            guard case .refusedAddress? = await Self.failure(fetcher, url) else {
                Issue.record("\(url) was not refused by address")
                continue
            }
        }
    }

    @Test func plainHTTPToPrivateAddressIsRefusedEvenWhenLoopbackIsAllowed() async {
        guard case .refusedAddress? = await Self.failure(Self.development, "http://10.0.0.1/") else {
            Issue.record("http://10.0.0.1/ was not refused")
            return
        }
    }

    @Test func loopbackIsRefusedWithoutTheSettingAndNothingConnects() async throws {
        let listener = try LoopbackHTTPServer { _ in .json("{}") }
        defer { listener.stop() }
        for url in [
            "http://127.0.0.1:\(listener.port)/", "https://127.0.0.1:\(listener.port)/",
            "https://localhost:\(listener.port)/", "http://localhost:\(listener.port)/",
        ] {
            #expect(await Self.failure(Self.strict, url) != nil, "\(url) should be refused")
        }
        try await Task.sleep(for: .milliseconds(100))
        #expect(listener.connections == 0)
    }

    @Test func loopbackAnswersWhenAllowed() async throws {
        let listener = try LoopbackHTTPServer { _ in
            .json(#"{"ok":true}"#, headers: [("Cache-Control", "public, max-age=120")])
        }
        defer { listener.stop() }
        let response = try await Self.development.get(listener.url + "/doc", accept: "application/json")
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"ok":true}"#)
        #expect(response.maxAge == 120)
        #expect(listener.received.first?.target == "/doc")
    }

    @Test func redirectsAreNotFollowed() async throws {
        let elsewhere = try LoopbackHTTPServer { _ in .json("{}") }
        defer { elsewhere.stop() }
        let redirecting = try LoopbackHTTPServer { _ in
            LoopbackHTTPServer.Answer(status: 302, headers: [("Location", elsewhere.url + "/")], body: "")
        }
        defer { redirecting.stop() }
        #expect(await Self.failure(Self.development, redirecting.url + "/") == .redirected(status: 302))
        try await Task.sleep(for: .milliseconds(100))
        #expect(elsewhere.connections == 0)
    }

    @Test func largeAnswersAreRefused() async throws {
        let listener = try LoopbackHTTPServer { _ in .json(String(repeating: "x", count: 5_000)) }
        defer { listener.stop() }
        #expect(await Self.failure(Self.development, listener.url + "/") == .tooLarge(limit: 1_024))
    }

    @Test func cacheControlIsRead() {
        func maxAge(_ header: String?) -> Int? {
            OutboundResponse(status: 200, contentType: nil, cacheControl: header, body: []).maxAge
        }
        #expect(maxAge("public, max-age=300") == 300)
        #expect(maxAge("no-store") == 0)
        #expect(maxAge(nil) == nil)
        #expect(maxAge("private") == nil)
    }
}
