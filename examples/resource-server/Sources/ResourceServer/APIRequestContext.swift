import Hummingbird

/// Per-request state of the API: Hummingbird's basics and the address of the peer, which
/// decides whether a `Client-Cert` header is believed (only from a trusted proxy, RFC 9440 §4).
struct APIRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let peer: String?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peer = source.channel.remoteAddress?.ipAddress
    }
}
