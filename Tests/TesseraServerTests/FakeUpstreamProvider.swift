import Foundation
import Synchronization
import TesseraCore
import TesseraJOSE
import TesseraTestSupport
import Testing

/// An upstream OpenID Provider on loopback for in-process tests of "Sign in with …": discovery,
/// a JWKS, and a token endpoint that answers every code with an ID token about `subject`,
/// carrying the nonce the test read from the authorization redirect.
final class FakeUpstreamProvider: Sendable {
    let server: LoopbackHTTPServer
    let key: LoadedKey
    private let state: Locked<(nonce: String, subject: String, username: String, audience: String)>

    static let clientID = "tessera-acme"
    static let clientSecret = "upstream secret value"

    var issuer: String { server.url }
    var tokenRequests: [LoopbackHTTPServer.Request] { server.received.filter { $0.target == "/token" } }

    init() async throws {
        let masterKey = MasterKey.generate()
        let generated = try KeyGenerator.generate(.es256)
        let key = try await LoadedKey(
            record: try generated.record(tenantID: UUID(), state: .current, now: Date(), masterKey: masterKey),
            masterKey: masterKey)
        let state = Locked((nonce: "", subject: "upstream-sub-1", username: "carol", audience: Self.clientID))
        let issuerBox = Locked("")
        let jwks = "{\"keys\":[\(generated.publicJWK)]}"
        let server = try LoopbackHTTPServer { request in
            let issuer = issuerBox.mutex.withLock { $0 }
            switch request.target {
            case "/.well-known/openid-configuration":
                return .json(
                    """
                    {"issuer":"\(issuer)","authorization_endpoint":"\(issuer)/authorize","token_endpoint":"\(issuer)/token",\
                    "jwks_uri":"\(issuer)/jwks","id_token_signing_alg_values_supported":["ES256"],\
                    "authorization_response_iss_parameter_supported":true}
                    """)
            case "/jwks": return .json(jwks)
            case "/token":
                let current = state.mutex.withLock { $0 }
                let now = Int(Date().timeIntervalSince1970)
                let token =
                    (try? key.sign(
                        IDToken(
                            iss: issuer, sub: current.subject, aud: current.audience, nonce: current.nonce, iat: now,
                            username: current.username), type: "JWT")) ?? ""
                return .json(#"{"access_token":"at","token_type":"Bearer","id_token":"\#(token)"}"#)
            default: return LoopbackHTTPServer.Answer(status: 404, body: "")
            }
        }
        issuerBox.mutex.withLock { $0 = server.url }
        self.server = server
        self.key = key
        self.state = state
    }

    func expect(nonce: String) { state.mutex.withLock { $0.nonce = nonce } }
    func signIn(as subject: String, username: String) {
        state.mutex.withLock {
            $0.subject = subject
            $0.username = username
        }
    }
    func issue(audience: String) { state.mutex.withLock { $0.audience = audience } }

    func stop() { server.stop() }

    struct IDToken: CompactJSONEncodable {
        let iss: String
        let sub: String
        let aud: String
        let nonce: String
        let iat: Int
        let username: String

        var compactJSON: [UInt8] {
            var writer = JSONWriter()
            writer.string("iss", iss)
            writer.string("sub", sub)
            writer.string("aud", aud)
            writer.string("nonce", nonce)
            writer.number("iat", iat)
            writer.number("exp", iat + 300)
            writer.string("preferred_username", username)
            writer.string("email", "\(username)@corp.example")
            return writer.finished()
        }
    }
}

/// A `Mutex` that escaping closures can share.
final class Locked<Value: Sendable>: Sendable {
    let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
}
