import Foundation
import TesseraJOSE

/// Upstream providers' metadata and key sets, fetched through the guarded fetcher and cached
/// with bounds: each entry lives as long as the answer's `Cache-Control: max-age` says, within
/// `lifetimeBounds` (no max-age: `defaultLifetime`), and the cache holds at most `capacity`
/// entries (when full it starts over). An ID token naming a `kid` the cached set lacks makes one
/// refetch of the set (the provider rotated), at most once per `refetchInterval` per set, so a
/// stream of made-up kids cannot turn Tessera into a request amplifier.
public actor UpstreamDirectory {
    struct Entry<Value: Sendable>: Sendable {
        let value: Value
        let expiresAt: Date
    }

    let fetcher: OutboundFetcher
    let clock: @Sendable () -> Date
    let capacity: Int
    static let defaultLifetime: TimeInterval = 300
    static let lifetimeBounds: ClosedRange<TimeInterval> = 60...3_600
    static let refetchInterval: TimeInterval = 10

    private var metadata: [String: Entry<UpstreamMetadata>] = [:]
    private var keySets: [String: Entry<VerificationKeySet>] = [:]
    private var refetchedAt: [String: Date] = [:]

    public init(fetcher: OutboundFetcher, capacity: Int = 256, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.fetcher = fetcher
        self.capacity = capacity
        self.clock = clock
    }

    public func metadata(issuer: String) async throws(UpstreamFailure) -> UpstreamMetadata {
        if let entry = metadata[issuer], entry.expiresAt > clock() { return entry.value }
        let response: OutboundResponse
        do {
            response = try await fetcher.get(UpstreamMetadata.location(of: issuer), accept: "application/json")
        } catch {
            throw .discovery("the provider's metadata could not be fetched: \(error)")
        }
        guard response.status == 200 else {
            throw .discovery("the provider's metadata answered HTTP \(response.status)")
        }
        let value = try UpstreamMetadata(json: response.body, expectedIssuer: issuer)
        if metadata.count >= capacity { metadata.removeAll(keepingCapacity: true) }
        metadata[issuer] = Entry(value: value, expiresAt: expiry(of: response))
        return value
    }

    /// The provider's key set; `refresh` asks for a fresh copy (an unknown `kid`), honoured at
    /// most once per `refetchInterval`.
    public func keys(
        of provider: UpstreamMetadata, refresh: Bool = false
    ) async throws(UpstreamFailure)
        -> VerificationKeySet
    {
        let uri = provider.jwksURI
        let now = clock()
        if let entry = keySets[uri], entry.expiresAt > now {
            guard refresh, (refetchedAt[uri].map { now.timeIntervalSince($0) >= Self.refetchInterval } ?? true) else {
                return entry.value
            }
            refetchedAt[uri] = now
        }
        let response: OutboundResponse
        do {
            response = try await fetcher.get(uri, accept: "application/jwk-set+json, application/json")
        } catch {
            throw .keys("the provider's keys could not be fetched: \(error)")
        }
        guard response.status == 200 else { throw .keys("the provider's keys answered HTTP \(response.status)") }
        let keys = await VerificationKeySet(json: String(decoding: response.body, as: UTF8.self))
        guard !keys.isEmpty else { throw .keys("the provider's key set holds no key Tessera can verify with") }
        if keySets.count >= capacity { keySets.removeAll(keepingCapacity: true) }
        keySets[uri] = Entry(value: keys, expiresAt: expiry(of: response))
        return keys
    }

    private func expiry(of response: OutboundResponse) -> Date {
        let seconds = response.maxAge.map(TimeInterval.init) ?? Self.defaultLifetime
        return clock().addingTimeInterval(
            min(max(seconds, Self.lifetimeBounds.lowerBound), Self.lifetimeBounds.upperBound))
    }
}
