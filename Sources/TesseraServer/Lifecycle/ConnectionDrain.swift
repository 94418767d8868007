import Hummingbird
import NIOConcurrencyHelpers
import NIOCore

/// How open connections end when the process shuts down (docs/rolling-restarts.md).
///
/// Hummingbird's graceful shutdown closes the listener, lets each request in flight finish and
/// closes its connection after the response, and closes idle keep-alive connections at once.
/// Two gaps matter behind a proxy that keeps upstream connections alive (nginx `keepalive`):
/// - the last response on a connection does not say `Connection: close` (RFC 9112 §9.6), so
///   the proxy may put the connection back in its pool and send the next request into a close;
/// - an idle connection closed by the server can cross a request the proxy is sending on it,
///   which the proxy may not retry (nginx never retries a POST once sent, whatever
///   `proxy_next_upstream` says, unless `non_idempotent` is set, and token requests must not be).
///
/// So while draining every response carries `Connection: close` (the client then closes), and
/// the quiesce event Hummingbird sends to idle connections is held back for `idleGrace`: in that
/// time the proxy closes its idle connections itself (nginx `keepalive_timeout` below it), or
/// sends one more request that is answered with `Connection: close`. Then the held events are
/// passed on and Hummingbird closes what is left.
public final class ConnectionDrain: Sendable {
    private struct State {
        var draining = false
        var released = false
        var held: [ObjectIdentifier: any Channel] = [:]
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// Whether shutdown has begun: responses then carry `Connection: close`.
    public var isDraining: Bool { state.withLockedValue { $0.draining } }

    /// Shutdown has begun; from now on responses say `Connection: close`.
    public func begin() {
        state.withLockedValue { $0.draining = true }
    }

    /// Passes every held quiesce event on; later ones go through at once.
    public func release() {
        let channels = state.withLockedValue { state -> [any Channel] in
            state.released = true
            defer { state.held = [:] }
            return Array(state.held.values)
        }
        for channel in channels {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
    }

    /// Holds the quiesce event of `channel` until `release()`; false once released (the event
    /// should then go on).
    fileprivate func hold(_ channel: any Channel) -> Bool {
        let held = state.withLockedValue { state -> Bool in
            guard !state.released else { return false }
            state.held[ObjectIdentifier(channel)] = channel
            return true
        }
        if held {
            // A connection the client closes meanwhile needs no event any more.
            channel.closeFuture.whenComplete { [state] _ in
                state.withLockedValue { _ = $0.held.removeValue(forKey: ObjectIdentifier(channel)) }
            }
        }
        return held
    }

    /// The channel handler that holds quiesce events; one per connection, ahead of Hummingbird's
    /// connection-state handler, which acts on the event when it arrives.
    public func handler() -> any RemovableChannelHandler { QuiesceDeferral(drain: self) }
}

/// Holds `ChannelShouldQuiesceEvent` back in `ConnectionDrain` until it is released. Requests in
/// flight meanwhile are answered as usual, with `Connection: close` (`ConnectionCloseMiddleware`).
final class QuiesceDeferral: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    let drain: ConnectionDrain

    init(drain: ConnectionDrain) { self.drain = drain }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, drain.hold(context.channel) { return }
        context.fireUserInboundEventTriggered(event)
    }
}

/// While draining, every response says `Connection: close` (RFC 9112 §9.6), so a client or
/// proxy closes the connection after it instead of sending another request into the shutdown.
struct ConnectionCloseMiddleware: RouterMiddleware {
    typealias Context = TesseraRequestContext
    let drain: ConnectionDrain

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        if drain.isDraining { response.headers[.connection] = "close" }
        return response
    }
}
