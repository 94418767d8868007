import AsyncHTTPClient
import Foundation
import JWTKit
import NIOCore

/// The issuer's signing keys, fetched from its metadata and JWKS and kept as long as the JWKS
/// response's `Cache-Control: max-age` allows. A token with a `kid` we have not seen makes us
/// refetch at once (a rotation published ahead of time never needs this, but a cache that
/// started cold, two rotations in a row or a revocation do), at most once a second, so a flood
/// of made-up `kid`s cannot turn into a flood of requests to the issuer.
actor IssuerKeys {
    struct Snapshot {
        let keys: JWTKeyCollection
        /// `kid` → the algorithm its JWK names: the only algorithm a token with that `kid` may use.
        let algorithms: [String: String]
        let expires: ContinuousClock.Instant
    }

    let issuer: String
    let http: HTTPClient
    let refetchInterval: Duration
    private var jwksURI: String?
    private var snapshot: Snapshot?
    private var lastFetch: ContinuousClock.Instant?
    private var inFlight: Task<Snapshot, any Error>?

    init(issuer: String, http: HTTPClient, refetchInterval: Duration = .seconds(1)) {
        self.issuer = issuer
        self.http = http
        self.refetchInterval = refetchInterval
    }

    /// Keys that know `kid`, refetching when the cache is stale or does not know it.
    func keys(for kid: String) async throws -> (JWTKeyCollection, algorithm: String)? {
        let now = ContinuousClock.now
        if let snapshot, snapshot.expires > now, let algorithm = snapshot.algorithms[kid] {
            return (snapshot.keys, algorithm)
        }
        let stale = snapshot.map { $0.expires <= now } ?? true
        let mayRefetch = lastFetch.map { now - $0 >= refetchInterval } ?? true
        if stale || mayRefetch {
            let fresh = try await refresh()
            if let algorithm = fresh.algorithms[kid] { return (fresh.keys, algorithm) }
            return nil
        }
        return nil
    }

    /// One fetch at a time; concurrent callers wait for the same one.
    private func refresh() async throws -> Snapshot {
        if let inFlight { return try await inFlight.value }
        let task = Task { try await self.fetch() }
        inFlight = task
        defer { inFlight = nil }
        let fresh = try await task.value
        snapshot = fresh
        lastFetch = .now
        return fresh
    }

    private func fetch() async throws -> Snapshot {
        let uri: String
        if let jwksURI {
            uri = jwksURI
        } else {
            // RFC 8414 / OIDC Discovery: the metadata names the JWKS; never guess its path.
            let (body, _) = try await get(issuer + "/.well-known/openid-configuration")
            let metadata = try JSONDecoder().decode(Metadata.self, from: body)
            guard metadata.issuer == issuer else { throw ResourceServerError.metadataIssuerMismatch }
            uri = metadata.jwksURI
            jwksURI = uri
        }
        let (body, cacheControl) = try await get(uri)
        let keys = JWTKeyCollection()
        try await keys.add(jwksJSON: Self.forJWTKit(body))
        let jwks = try JSONDecoder().decode(JWKSDocument.self, from: body)
        var algorithms: [String: String] = [:]
        for key in jwks.keys { if let kid = key.kid, let alg = key.alg { algorithms[kid] = alg } }
        let maxAge = Self.maxAge(cacheControl) ?? 60
        return Snapshot(keys: keys, algorithms: algorithms, expires: .now + .seconds(maxAge))
    }

    /// jwt-kit 5.8 predates RFC 9864: it reads an Ed25519 JWK only under the polymorphic `alg`
    /// `EdDSA`, and refuses the whole set when one key says `Ed25519`. The copy it gets says
    /// `EdDSA`; the header check above still compares with the published `Ed25519`.
    static func forJWTKit(_ body: Data) throws -> String {
        guard var document = try JSONSerialization.jsonObject(with: body) as? [String: Any],
            let keys = document["keys"] as? [[String: Any]]
        else { throw ResourceServerError.notAKeySet }
        document["keys"] = keys.map { key -> [String: Any] in
            var key = key
            if key["alg"] as? String == "Ed25519" { key["alg"] = "EdDSA" }
            return key
        }
        return String(decoding: try JSONSerialization.data(withJSONObject: document), as: UTF8.self)
    }

    private func get(_ url: String) async throws -> (Data, String?) {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        let response = try await http.execute(request, timeout: .seconds(5))
        guard response.status == .ok else { throw ResourceServerError.issuerAnswered(Int(response.status.code), url) }
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Data(body.readableBytesView), response.headers.first(name: "Cache-Control"))
    }

    static func maxAge(_ cacheControl: String?) -> Int? {
        guard let cacheControl else { return nil }
        for directive in cacheControl.split(separator: ",") {
            let parts = directive.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "max-age", let seconds = Int(parts[1]) {
                return max(0, seconds)
            }
        }
        return nil
    }

    struct Metadata: Decodable {
        let issuer: String
        let jwksURI: String

        enum CodingKeys: String, CodingKey {
            case issuer
            case jwksURI = "jwks_uri"
        }
    }

    struct JWKSDocument: Decodable {
        struct Key: Decodable {
            let kid: String?
            let alg: String?
        }

        let keys: [Key]
    }
}

enum ResourceServerError: Error, CustomStringConvertible {
    case metadataIssuerMismatch
    case issuerAnswered(Int, String)
    case notAKeySet

    var description: String {
        switch self {
        case .metadataIssuerMismatch: "the issuer's metadata names another issuer"
        case .issuerAnswered(let status, let url): "\(url) answered \(status)"
        case .notAKeySet: "the issuer's JWKS is not a JWK Set"
        }
    }
}
