import Foundation
import Hummingbird
import JWTKit

/// The API itself: each route names the scope it needs; the token decides who the data is for.
struct OrdersAPI: Sendable {
    let verifier: AccessTokenVerifier
    let realm: String

    func register(on router: Router<BasicRequestContext>) {
        router.get("/healthz") { _, _ in "ok" }
        router.get("/orders") { request, _ in
            try await respond(request, scope: "orders:read") { token in
                Answer(
                    user: token.sub.value, client: token.clientID, act: token.act,
                    orders: DemoData.orders(for: token.sub.value))
            }
        }
        router.get("/invoices") { request, _ in
            try await respond(request, scope: "billing:read") { token in
                Answer(
                    user: token.sub.value, client: token.clientID, act: token.act,
                    invoices: DemoData.invoices(for: token.sub.value))
            }
        }
    }

    struct Answer: Encodable {
        let user: String
        let client: String
        /// Who acted for the user, when the caller got its token by token exchange.
        let act: AccessToken.Actor?
        var orders: [DemoData.Item]? = nil
        var invoices: [DemoData.Item]? = nil
    }

    func respond(
        _ request: Request, scope: String, _ body: (AccessToken) -> Answer
    ) async throws -> Response {
        do {
            let token = try await verifier.verify(try bearer(request))
            guard token.scopes.contains(Substring(scope)) else { throw BearerRefusal.insufficientScope(scope) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return Response(
                status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(body(token)))))
        } catch let refusal as BearerRefusal {
            return challenge(refusal)
        }
    }

    func bearer(_ request: Request) throws(BearerRefusal) -> String {
        guard let header = request.headers[.authorization], header.count > 7, header.prefix(7).lowercased() == "bearer "
        else { throw .missing }
        return String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    }

    /// RFC 6750 §3: 401 with the error for a missing or bad token (no error code when there was
    /// none), 403 naming the scope for a token that may not do this.
    func challenge(_ refusal: BearerRefusal) -> Response {
        let (status, value): (HTTPResponse.Status, String) =
            switch refusal {
            case .missing: (.unauthorized, #"Bearer realm="\#(realm)""#)
            case .invalidToken(let why):
                (.unauthorized, #"Bearer realm="\#(realm)", error="invalid_token", error_description="\#(why)""#)
            case .insufficientScope(let scope):
                (.forbidden, #"Bearer realm="\#(realm)", error="insufficient_scope", scope="\#(scope)""#)
            }
        return Response(status: status, headers: [.wwwAuthenticate: value, .cacheControl: "no-store"])
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
