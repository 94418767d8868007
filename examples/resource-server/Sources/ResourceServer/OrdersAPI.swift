import Foundation
import Hummingbird
import JWTKit

/// The API itself: each route names the scope it needs; the token decides who the data is for,
/// and `SenderConstrainedAccess` whether this caller may use it.
struct OrdersAPI: Sendable {
    let access: SenderConstrainedAccess
    let challenge: Challenge
    /// RFC 9470: the authentication context `/invoices` needs (`--invoices-acr`), if any.
    var invoicesACR: String? = nil

    func register(on router: Router<APIRequestContext>) {
        router.get("/healthz") { _, _ in "ok" }
        router.get("/orders") { request, context in
            try await respond(request, context, scope: "orders:read") { token, binding in
                Answer(
                    user: token.sub.value, client: token.clientID, act: token.act, binding: binding,
                    orders: DemoData.orders(for: token.sub.value))
            }
        }
        router.get("/invoices") { request, context in
            try await respond(request, context, scope: "billing:read", acr: invoicesACR) { token, binding in
                Answer(
                    user: token.sub.value, client: token.clientID, act: token.act, binding: binding,
                    invoices: DemoData.invoices(for: token.sub.value))
            }
        }
    }

    struct Answer: Encodable {
        let user: String
        let client: String
        /// Who acted for the user, when the caller got its token by token exchange.
        let act: AccessToken.Actor?
        /// `bearer`, `dpop` or `certificate`: what held the token to this caller.
        let binding: SenderConstrainedAccess.Binding
        var orders: [DemoData.Item]? = nil
        var invoices: [DemoData.Item]? = nil
    }

    func respond(
        _ request: Request, _ context: APIRequestContext, scope: String, acr: String? = nil,
        _ body: (AccessToken, SenderConstrainedAccess.Binding) -> Answer
    ) async throws -> Response {
        do {
            let (token, binding) = try await access.authorize(request, peer: context.peer, logger: context.logger)
            guard token.scopes.contains(Substring(scope)) else {
                throw Refusal.insufficientScope(scope, binding == .dpop ? .dpop : .bearer)
            }
            // RFC 9470 §3: a token from a weaker sign-in than the route needs; the client asks
            // again with acr_values and the user steps up. A token without acr meets nothing.
            if let acr, token.acr != acr {
                throw Refusal.insufficientUserAuthentication(acr: acr, binding == .dpop ? .dpop : .bearer)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return Response(
                status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(body(token, binding)))))
        } catch let refusal as Refusal {
            return challenge.response(refusal, scope: scope)
        }
    }
}

/// Made-up data, the same for the same user every time.
enum DemoData {
    struct Item: Encodable {
        let id: String
        let item: String
    }

    static func orders(for user: String) -> [Item] {
        let things = ["Teapot", "Kettle", "Mug set", "Tea towel", "Biscuit tin"]
        let seed = user.unicodeScalars.reduce(0) { ($0 &* 31 &+ Int($1.value)) & 0xFFFF }
        return (0..<3).map { Item(id: "order-\(seed + $0)", item: things[(seed + $0) % things.count]) }
    }

    static func invoices(for user: String) -> [Item] {
        orders(for: user).map { Item(id: $0.id.replacingOccurrences(of: "order", with: "invoice"), item: $0.item) }
    }
}
