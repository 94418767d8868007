import Foundation
import TesseraCore
import Testing

@testable import TesseraJOSE

/// Claims of a test token: the registered claims the verifier judges, plus one of our own.
struct TestClaims: Equatable, CompactJSONDecodable, CompactJSONEncodable {
    var iss: String
    var sub: String
    var exp: Date?
    var iat: Date?
    var nbf: Date?
    var scope: String?

    init(iss: String, sub: String, exp: Date? = nil, iat: Date? = nil, nbf: Date? = nil, scope: String? = nil) {
        self.iss = iss
        self.sub = sub
        self.exp = exp
        self.iat = iat
        self.nbf = nbf
        self.scope = scope
    }

    /// NumericDates as whole seconds (RFC 7519 §2 allows fractions; many verifiers choke on them).
    var compactJSON: [UInt8] {
        var writer = JSONWriter()
        writer.string("iss", iss)
        writer.string("sub", sub)
        writer.number("exp", exp.map { Int($0.timeIntervalSince1970) })
        writer.number("iat", iat.map { Int($0.timeIntervalSince1970) })
        writer.number("nbf", nbf.map { Int($0.timeIntervalSince1970) })
        writer.string("scope", scope)
        return writer.finished()
    }

    init(compactJSON claims: JSONObject) throws(JSONReader.Failure) {
        func date(_ name: String) throws(JSONReader.Failure) -> Date? {
            try claims.optionalNumber(name).map { Date(timeIntervalSince1970: $0) }
        }
        iss = try claims.string("iss")
        sub = try claims.string("sub")
        exp = try date("exp")
        iat = try date("iat")
        nbf = try date("nbf")
        scope = try claims.optionalString("scope")
    }
}

enum Fixture {
    static let issuer = "http://localhost:8080/t/acme"
    /// A fixed instant with a fractional part, so date truncation is visible.
    static let now = Date(timeIntervalSince1970: 1_795_793_825.6587)

    static func claims(
        issuer: String = Fixture.issuer, expiresIn: TimeInterval = 600, issuedAt: Date = Fixture.now,
        notBefore: Date? = nil
    ) -> TestClaims {
        TestClaims(
            iss: issuer, sub: "user-1", exp: issuedAt.addingTimeInterval(expiresIn), iat: issuedAt,
            nbf: notBefore ?? issuedAt, scope: "read write")
    }

    /// A tenant with a current and a next key of `algorithm`, as the lifecycle creates them.
    static func tenant(
        _ algorithm: SigningAlgorithm = .es256, masterKey: MasterKey = MasterKey.generate()
    )
        throws -> (tenantID: UUID, records: [SigningKeyRecord], masterKey: MasterKey)
    {
        let tenantID = UUID()
        let plan = try KeyLifecycle.initialKeys(
            tenantID: tenantID, algorithm: algorithm, now: now.addingTimeInterval(-86_400), masterKey: masterKey)
        return (tenantID, plan.map(\.record), masterKey)
    }

    static func keys(_ algorithm: SigningAlgorithm = .es256) async throws -> TenantKeys {
        let tenant = try tenant(algorithm)
        return try await TenantKeys(tenantID: tenant.tenantID, records: tenant.records, masterKey: tenant.masterKey)
    }
}

extension SigningKeyRecord {
    static func inState(_ state: KeyState, of records: [SigningKeyRecord]) throws -> SigningKeyRecord {
        try #require(records.first { $0.state == state })
    }
}

/// Reading tokens the way an outsider would: split and base64url-decode.
enum TokenParts {
    static func segments(_ token: String) -> [String] {
        token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }

    static func json(_ segment: String) throws -> String {
        String(decoding: try #require(Base64URL.decode(segment)), as: UTF8.self)
    }

    static func object(_ segment: String) throws -> [String: Any] {
        let data = Data(try #require(Base64URL.decode(segment)))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// A token with the given header JSON and payload JSON, properly signed by `key`: only the
    /// header can make it fail.
    static func forged(header: String, payload: String, signedBy key: LoadedKey) throws -> String {
        try key.sign(
            encodedHeader: Base64URL.encodedBytes(Array(header.utf8)), payloadJSON: Array(payload.utf8))
    }

    static func payloadJSON(_ claims: TestClaims) throws -> String {
        String(decoding: claims.compactJSON, as: UTF8.self)
    }
}

extension TenantKeys {
    /// Verification as the token endpoint would do it for access tokens.
    func verifyAccessToken(
        _ token: String, now: Date = Fixture.now, leeway: Int = 0
    ) throws(TokenRejection)
        -> TestClaims
    {
        try verify(token, as: TestClaims.self, expectedType: "at+jwt", issuer: Fixture.issuer, now: now, leeway: leeway)
    }

    func verifiedKey(_ kid: String) -> LoadedKey? { verifying[kid] }
}
