import Foundation
import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraJOSE
import TesseraOAuth

/// One audit log entry as the admin API shows it.
struct AuditEventRepresentation: AdminRepresentation, Sendable {
    static let schemaName = "AuditEvent"
    typealias Keys = CodingKeys

    let id: String
    let occurredAt: Date
    let actor: String
    let action: String
    let target: String
    let requestID: String?
    let details: JSONObject

    init(_ event: AuditEvent) {
        id = event.id.uuidString.lowercased()
        occurredAt = event.occurredAt
        actor = event.actor
        action = event.action.rawValue
        target = event.target
        requestID = event.requestID
        // Written by `JSONWriter`; a row that is not an object (never written so) shows as `{}`.
        details = (try? JSONReader.object(Array(event.details.utf8))) ?? .empty
    }

    enum CodingKeys: String, SchemaKey {
        case id, actor, action, target, details
        case occurredAt = "occurred_at"
        case requestID = "request_id"

        var schema: MemberSchema {
            switch self {
            case .id, .actor, .target, .requestID: .text
            case .action: .string(values: AuditAction.allCases.map(\.rawValue))
            case .details: .anyObject
            case .occurredAt: .dateTime
            }
        }

        var isRequired: Bool { self != .requestID }
    }
}

/// A tenant created through the API, with its first admin client's credentials (shown once).
struct CreatedTenantRepresentation: AdminRepresentation, Sendable {
    static let schemaName = "CreatedTenant"
    typealias Keys = CodingKeys

    let tenant: TenantRepresentation
    let adminClient: ClientRepresentation

    enum CodingKeys: String, SchemaKey {
        case tenant
        case adminClient = "admin_client"

        var schema: MemberSchema {
            switch self {
            case .tenant: .reference(TenantRepresentation.schemaName)
            case .adminClient: .reference(ClientRepresentation.schemaName)
            }
        }

        var isRequired: Bool { true }
    }
}

extension AdminRoutes {
    static var scopeRoutes: [AdminRoute] {
        [
            AdminRoute(
                method: .get, path: "/scopes", area: .scopes, operationID: "listScopes",
                summary: "List the tenant's scopes, by name", successStatus: 200, responseSchema: "ScopePage",
                query: ["limit", "cursor"]
            ) { call in
                let page = try PageRequest(call.request)
                let rows = try await call.administration.scopes(in: call.tenant)
                return call.json(
                    page.page(ofAll: rows, key: \.name) { ScopeRepresentation($0, tenant: call.tenant.slug) })
            },
            AdminRoute(
                method: .post, path: "/scopes", area: .scopes, operationID: "createScope", summary: "Create a scope",
                requestSchema: "ScopeCreate", successStatus: 201, responseSchema: "Scope"
            ) { call in
                let body = try await call.body(ScopeCreateBody.self)
                let scope = try await call.administration.createScope(
                    in: call.tenant, name: body.name, description: body.description, actor: call.actor,
                    requestID: call.requestID)
                return call.json(ScopeRepresentation(scope, tenant: call.tenant.slug), status: .created)
            },
        ]
    }

    static var keyRoutes: [AdminRoute] {
        [
            AdminRoute(
                method: .get, path: "/keys", area: .keys, operationID: "listKeys",
                summary: "The tenant's signing keys (never private material)", successStatus: 200,
                responseSchema: "SigningKeyPage", query: ["limit", "cursor"]
            ) { call in
                let page = try PageRequest(call.request)
                let rows = try await call.services.keyManagement.keys(of: call.tenant)
                return call.json(page.page(ofAll: rows, key: \.kid) { SigningKeyRepresentation($0) })
            },
            AdminRoute(
                method: .post, path: "/keys/rotate", area: .keys, operationID: "rotateKeys",
                summary: "Rotate now: next becomes current, a new next is published", requestSchema: "KeyRotate",
                successStatus: 200, responseSchema: "SigningKeyPage"
            ) { call in
                var algorithm: SigningAlgorithm?
                if call.request.headers[.contentType] != nil, let alg = try await call.body(KeyRotateBody.self).alg {
                    guard let parsed = SigningAlgorithm(name: alg), parsed.isPublishable else {
                        throw ProblemResponse.badRequest("alg must be ES256, Ed25519 (or EdDSA) or RS256", field: "alg")
                    }
                    algorithm = parsed
                }
                let keys = try await call.services.keyManagement.rotate(
                    call.tenant, algorithm: algorithm, actor: call.actor, requestID: call.requestID)
                return call.json(Page(items: keys.map(SigningKeyRepresentation.init), nextCursor: nil))
            },
            AdminRoute(
                method: .post, path: "/keys/{kid}/revoke", area: .keys, operationID: "revokeKey",
                summary: "Revoke a key at once: unpublished, and nothing it signed verifies", successStatus: 204,
                responseSchema: nil
            ) { call in
                let kid = try call.parameter("kid")
                guard try await call.services.keyManagement.keys(of: call.tenant).contains(where: { $0.kid == kid })
                else {
                    throw ProblemResponse.notFound("no key '\(kid)' in this tenant")
                }
                try await call.services.keyManagement.revoke(
                    call.tenant, kid: kid, actor: call.actor, requestID: call.requestID)
                return Response(status: .noContent, headers: [.cacheControl: "no-store"])
            },
        ]
    }

    static var auditRoutes: [AdminRoute] {
        [
            AdminRoute(
                method: .get, path: "/audit", area: .audit, operationID: "listAuditEvents",
                summary: "The tenant's audit log, oldest first (append-only: there is no way to change it)",
                successStatus: 200, responseSchema: "AuditEventPage", query: ["limit", "cursor"]
            ) { call in
                let page = try PageRequest(call.request)
                let rows = try await call.administration.auditEvents(
                    in: call.tenant, after: page.after, limit: page.limit + 1)
                return call.json(page.page(rows, key: { $0.id.uuidString }) { AuditEventRepresentation($0) })
            }
        ]
    }

    static var tenantRoutes: [AdminRoute] {
        [
            AdminRoute(
                method: .get, path: "/tenants", area: .tenants, operationID: "listTenants",
                summary: "List tenants, by slug (system admins only)", successStatus: 200,
                responseSchema: "TenantPage", query: ["limit", "cursor"]
            ) { call in
                let page = try PageRequest(call.request)
                let rows = try await call.administration.tenants(after: page.after, limit: page.limit + 1)
                let publicURL = call.publicURL
                return call.json(
                    page.page(rows, key: \.slug.rawValue) { TenantRepresentation($0, publicURL: publicURL) })
            },
            AdminRoute(
                method: .post, path: "/tenants", area: .tenants, operationID: "createTenant",
                summary: "Create a tenant and its first admin client (credentials shown once)",
                requestSchema: "TenantCreate", successStatus: 201, responseSchema: "CreatedTenant"
            ) { call in
                let body = try await call.body(TenantCreateBody.self)
                let (tenant, admin) = try await call.administration.createTenant(
                    slug: body.slug, name: body.name, actor: call.actor, withAdminClient: true,
                    requestID: call.requestID)
                guard let admin else { throw ProblemResponse.from(AdministrationError.unknownTenant(body.slug)) }
                return call.json(
                    CreatedTenantRepresentation(
                        tenant: TenantRepresentation(tenant, publicURL: call.publicURL),
                        adminClient: ClientRepresentation(admin.client, tenant: tenant.slug, secret: admin.secret)),
                    status: .created)
            },
            AdminRoute(
                method: .get, path: "/tenants/{slug}", area: .tenants, operationID: "getTenant",
                summary: "Read a tenant", successStatus: 200, responseSchema: "Tenant", returnsETag: true
            ) { call in
                let tenant = try await call.administration.tenant(try call.parameter("slug"))
                return call.json(TenantRepresentation(tenant, publicURL: call.publicURL), etag: String(tenant.version))
            },
            AdminRoute(
                method: .patch, path: "/tenants/{slug}", area: .tenants, operationID: "updateTenant",
                summary: "Disable or enable a tenant; needs If-Match", requestSchema: "TenantUpdate",
                successStatus: 200, responseSchema: "Tenant", returnsETag: true, requiresIfMatch: true
            ) { call in
                let version = try call.requiredVersion().map { Int($0) ?? -1 }
                let body = try await call.body(TenantUpdateBody.self)
                var tenant = try await call.administration.tenant(try call.parameter("slug"))
                if let status = body.status {
                    tenant = try await call.administration.setStatus(
                        of: tenant, status, expectedVersion: version, actor: call.actor, requestID: call.requestID)
                } else {
                    try Administration.check(version, current: tenant.version)
                }
                return call.json(TenantRepresentation(tenant, publicURL: call.publicURL), etag: String(tenant.version))
            },
        ]
    }
}
