import Foundation
import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraOAuth

/// The parts of the admin API a token's scope opens: `tessera:admin` opens all of them,
/// `tessera:admin:<area>` one. Tenants (of `system` only) need `tessera:admin` itself.
enum AdminArea: String, CaseIterable, Sendable {
    case clients, users, scopes, keys, audit, tenants
    /// Upstream identity providers decide who may sign in at all: `tessera:admin` itself.
    case identityProviders = "identity_providers"

    var scope: String {
        self == .tenants || self == .identityProviders ? "tessera:admin" : "tessera:admin:\(rawValue)"
    }
}

/// The protocol-layer services the admin API drives; the same operations the CLI uses.
struct AdminServices: Sendable {
    let administration: Administration
    let keyManagement: KeyManagement
    let accountService: AccountService
    let tokenValidator: AccessTokenValidator
    let publicURL: PublicURL
}

/// One authorized admin API request: the tenant whose API it is (resolved by the tenant wall),
/// who calls, and helpers to read the body and answer. Authorization happens in `authorize`,
/// before any handler runs.
struct AdminCall: Sendable {
    let request: Request
    let context: TenantRequestContext
    /// `client:<id>` of the admin token, as the audit log records it.
    let actor: String
    /// The token's scopes: granting roles needs `tessera:admin` itself.
    let scopes: Set<String>
    let services: AdminServices

    /// RFC 6750 bearer token of this tenant (signature, issuer, expiry, revocation), meant for
    /// this tenant's own APIs (`aud` is the issuer), with the area's scope.
    static func authorize(
        _ request: Request, _ context: TenantRequestContext, services: AdminServices, area: AdminArea
    ) async throws -> AdminCall {
        let tenant = context.tenant
        guard
            let presented = PresentedAccessToken.from(
                authorization: request.headers[.authorization], proofs: request.headers[values: .dpop])
        else {
            throw ProblemResponse.unauthorized("a bearer access token of this tenant is required", error: nil)
        }
        let claims: AccessTokenClaims
        do {
            // RFC 9449 §4.2 htu: the request's URL as the client addressed it, under the issuer.
            claims = try await services.tokenValidator.validate(
                presented,
                at: .init(
                    method: request.method.rawValue, url: context.addressedURL(of: request),
                    certificateThumbprint: context.clientCertificate?.thumbprint),
                tenant: tenant)
        } catch .invalidDPoPProof(let reason) {
            throw ProblemResponse.unauthorized(reason, error: "invalid_dpop_proof")
        } catch .useDPoPNonce(let nonce) {
            throw ProblemResponse.unauthorized(
                "the DPoP proof must carry the server's nonce (DPoP-Nonce)", error: "use_dpop_nonce", dpopNonce: nonce)
        } catch .unavailable {
            throw ProblemResponse.from(StorageFailure.unavailable("proof record"))
        } catch {
            throw ProblemResponse.unauthorized("the token is invalid, expired, revoked or not for this tenant's API")
        }
        guard claims.aud.values.contains(tenant.issuer) else {
            throw ProblemResponse.unauthorized("the token is invalid, expired, revoked or not for this tenant's API")
        }
        let scopes = Set(claims.scope.split(separator: " ").map(String.init))
        guard scopes.contains("tessera:admin") || scopes.contains(area.scope) else {
            throw ProblemResponse.forbidden(area.scope)
        }
        if area == .tenants, tenant.slug != .system {
            throw ProblemResponse.notFound("tenants are managed in the system tenant")
        }
        // docs/admin-roles.md: a person's token (the console's) is recorded as the person,
        // through the client; a client's own token as the client.
        let actor =
            claims.sub == claims.clientID
            ? "client:\(claims.clientID)" : "user:\(claims.sub) via client:\(claims.clientID)"
        return AdminCall(request: request, context: context, actor: actor, scopes: scopes, services: services)
    }

    /// The tenant whose admin API is called: every operation works on it alone.
    var tenant: Tenant { context.tenant.tenant }
    var requestID: String { context.requestID }
    var publicURL: PublicURL { services.publicURL }

    var administration: Administration { services.administration }

    func parameter(_ name: String) throws -> String {
        guard let value = context.parameters.get(name) else { throw ProblemResponse.notFound("missing \(name)") }
        return value
    }

    /// The JSON body as `Body`; 400 naming the member when it does not fit.
    func body<Body: Decodable>(_ type: Body.Type) async throws -> Body {
        guard let contentType = request.headers[.contentType],
            contentType.lowercased().hasPrefix("application/json")
        else {
            throw ProblemResponse(
                status: .unsupportedMediaType, title: "Unsupported Media Type", detail: "send application/json")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: TesseraRequestContext.maximumBodySize)
        } catch {
            throw ProblemResponse(
                status: .contentTooLarge, title: "Content Too Large", detail: "the body is over 64 KiB")
        }
        do {
            return try JSONDecoder().decode(Body.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw ProblemResponse.from(error)
        }
    }

    /// `If-Match` as a version: required on updates (428 without), so no admin overwrites a
    /// change they have not seen. `*` (RFC 9110 §13.1.1: any current version) reads as nil.
    func requiredVersion() throws -> String? {
        guard let header = request.headers[.ifMatch]?.trimmingCharacters(in: .whitespaces), !header.isEmpty else {
            throw ProblemResponse(
                status: .preconditionRequired, title: "Precondition Required",
                detail: "send If-Match with the ETag you read, so a concurrent change is not overwritten")
        }
        return header == "*" ? nil : Self.version(fromETag: header)
    }

    static func etag(_ version: String) -> String { "\"\(version)\"" }

    static func version(fromETag header: String) -> String {
        var value = Substring(header)
        if value.hasPrefix("W/") { value = value.dropFirst(2) }
        return String(value.trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
    }

    func json<Body: Encodable>(_ body: Body, status: HTTPResponse.Status = .ok, etag: String? = nil) -> Response {
        var headers: HTTPFields = [.cacheControl: "no-store"]
        if let etag { headers[.eTag] = Self.etag(etag) }
        return JSONResponse.make(body, status: status, headers: headers)
    }
}

/// A page of a list and where the next one starts (opaque to callers).
struct Page<Item: AdminRepresentation & Sendable>: AdminRepresentation, Sendable {
    static var schemaName: String { Item.schemaName + "Page" }
    typealias Keys = CodingKeys

    let items: [Item]
    let nextCursor: String?

    enum CodingKeys: String, SchemaKey {
        case items
        case nextCursor = "next_cursor"

        var schema: MemberSchema {
            switch self {
            case .items: .array(.reference(Item.schemaName))
            case .nextCursor: .text
            }
        }

        var isRequired: Bool { self == .items }
        var isNullableOutput: Bool { self == .nextCursor }
    }
}

/// `?limit=` (1–200, default 50) and `?cursor=` (what `next_cursor` said).
struct PageRequest {
    let limit: Int
    let after: String?

    init(_ request: Request) throws {
        let query = request.uri.queryParameters
        if let text = query.get("limit") {
            guard let value = Int(text), (1...200).contains(value) else {
                throw ProblemResponse.badRequest("limit must be a whole number from 1 to 200", field: "limit")
            }
            limit = value
        } else {
            limit = 50
        }
        // A cursor is only a position: anything in its alphabet reads as one (a made-up one
        // just starts somewhere), so no cursor is an error.
        if let cursor = query.get("cursor"), !cursor.isEmpty {
            guard let bytes = Base64URL.decode(cursor) else {
                throw ProblemResponse.badRequest("cursor is not one this API handed out", field: "cursor")
            }
            after = String(decoding: bytes, as: UTF8.self)
        } else {
            after = nil
        }
    }

    /// A page of a list the store hands over whole (scopes, keys, a user's consents): sorted by
    /// `key` here, then cut like a list read from the database.
    func page<Row, Item>(ofAll rows: [Row], key: (Row) -> String, _ transform: (Row) -> Item) -> Page<Item> {
        let sorted = rows.sorted { key($0) < key($1) }
        let rest = after.map { after in sorted.filter { key($0) > after } } ?? sorted
        return page(Array(rest.prefix(limit + 1)), key: key, transform)
    }

    /// Builds the page from `limit + 1` fetched items: the extra one only says there is more.
    func page<Row, Item>(_ rows: [Row], key: (Row) -> String, _ transform: (Row) -> Item) -> Page<Item> {
        let shown = Array(rows.prefix(limit))
        let next = rows.count > limit ? shown.last.map { Base64URL.encode(Array(key($0).utf8)) } : nil
        return Page(items: shown.map(transform), nextCursor: next)
    }
}
