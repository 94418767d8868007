import Foundation
import Synchronization
import TesseraCore
import TesseraJOSE
import TesseraStore

/// What tests sign: the registered claims the verifier judges, nothing more.
public struct AccessClaims: Equatable, Sendable, CompactJSONDecodable, CompactJSONEncodable {
    public static let issuer = "http://127.0.0.1:8080/t/acme"

    public var iss: String
    public var sub: String
    public var exp: Int
    public var iat: Int

    public init(iss: String, sub: String, exp: Int, iat: Int) {
        self.iss = iss
        self.sub = sub
        self.exp = exp
        self.iat = iat
    }

    public var compactJSON: [UInt8] {
        var writer = JSONWriter()
        writer.string("iss", iss)
        writer.string("sub", sub)
        writer.number("exp", exp)
        writer.number("iat", iat)
        return writer.finished()
    }

    public init(compactJSON claims: JSONObject) throws(JSONReader.Failure) {
        iss = try claims.string("iss")
        sub = try claims.string("sub")
        exp = try claims.integer("exp")
        iat = try claims.integer("iat")
    }

    public static func fresh(issuer: String = AccessClaims.issuer, lifetime: Int = 600) -> AccessClaims {
        let now = Int(Date().timeIntervalSince1970)
        return AccessClaims(iss: issuer, sub: "client-1", exp: now + lifetime, iat: now)
    }
}

extension TenantKeys {
    /// The tenant's keys as a freshly started instance would load them: from the store.
    public static func load(
        _ tenant: Tenant, from store: any SigningKeyStore, masterKey: MasterKey
    ) async throws -> TenantKeys {
        try await TenantKeys(
            tenantID: tenant.id, records: try await store.signingKeys(tenantID: tenant.id), masterKey: masterKey)
    }

    public func verifyAccessToken(
        _ token: String, issuer: String = AccessClaims.issuer
    ) throws(TokenRejection) -> AccessClaims {
        try verify(token, as: AccessClaims.self, expectedType: "at+jwt", issuer: issuer, now: Date(), leeway: 60)
    }
}

extension Array where Element == SigningKeyRecord {
    public func only(_ state: KeyState) throws -> SigningKeyRecord {
        let matching = filter { $0.state == state }
        guard matching.count == 1 else {
            throw TestSetupError("expected one \(state.rawValue) key, found \(matching.count)")
        }
        return matching[0]
    }

    public func kids(_ state: KeyState) -> Set<String> { Set(filter { $0.state == state }.map(\.kid)) }
}

/// Reading tokens and documents the way an outsider would.
public enum Inspect {
    /// The `kid` of a compact JWS, read from its header without verifying anything.
    public static func kid(of token: String) throws -> String {
        guard let header = token.split(separator: ".").first.map(String.init), let json = Base64URL.decode(header),
            let object = try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any],
            let kid = object["kid"] as? String
        else { throw TestSetupError("no kid in the header of \(token.prefix(40))") }
        return kid
    }

    /// The claims of a compact JWS, read from its payload without verifying anything.
    public static func claims(of token: String) throws -> [String: Any] {
        guard let payload = token.split(separator: ".").dropFirst().first.map(String.init),
            let json = Base64URL.decode(payload),
            let object = try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any]
        else { throw TestSetupError("no claims in \(token.prefix(40))") }
        return object
    }

    /// The JWKS's keys, each as its JSON object.
    public static func jwksKeys(_ json: String) throws -> [[String: Any]] {
        guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
            let keys = object["keys"] as? [[String: Any]]
        else { throw TestSetupError("not a JWKS: \(json.prefix(80))") }
        return keys
    }

    public static func jwksKids(_ json: String) throws -> [String] {
        try jwksKeys(json).map { key in
            guard let kid = key["kid"] as? String else { throw TestSetupError("a JWK without kid") }
            return kid
        }
    }

    /// `max-age` of a `Cache-Control` value, if it has one.
    public static func maxAge(_ cacheControl: String?) -> Int? {
        guard let cacheControl else { return nil }
        for directive in cacheControl.split(separator: ",") {
            let parts = directive.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == "max-age" { return Int(parts[1]) }
        }
        return nil
    }

    public static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let first = needle[0]
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }

    public static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
}

/// Private members a JWK may carry (RFC 7518 §6.2.2, §6.3.2, §6.4.1): none may ever be published.
public let privateJWKMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]

/// A clock tests move by hand, for the key schedule.
public final class ManualClock: Sendable {
    private let value: Mutex<Date>

    public init(_ start: Date) { value = Mutex(start) }

    public var now: Date { value.withLock { $0 } }

    public func set(_ date: Date) { value.withLock { $0 = date } }

    public var function: @Sendable () -> Date { { self.now } }
}
