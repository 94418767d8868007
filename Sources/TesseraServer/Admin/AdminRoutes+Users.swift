import Foundation
import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraOAuth

/// A user's consent as the admin API shows it.
struct ConsentRepresentation: AdminRepresentation, Sendable {
    static let schemaName = "Consent"
    typealias Keys = CodingKeys

    let clientID: String
    let scope: String
    let createdAt: Date
    let updatedAt: Date

    enum CodingKeys: String, SchemaKey {
        case scope
        case clientID = "client_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"

        var schema: MemberSchema {
            switch self {
            case .scope, .clientID: .text
            case .createdAt, .updatedAt: .dateTime
            }
        }

        var isRequired: Bool { true }
    }
}

extension AdminRoutes {
    static var userRoutes: [AdminRoute] {
        [
            AdminRoute(
                method: .get, path: "/users", area: .users, operationID: "listUsers",
                summary: "List the tenant's users, by username", successStatus: 200, responseSchema: "UserPage",
                query: ["limit", "cursor"]
            ) { call in
                let page = try PageRequest(call.request)
                let rows = try await call.administration.users(
                    in: call.tenant, after: page.after, limit: page.limit + 1)
                return call.json(page.page(rows, key: \.username) { UserRepresentation($0, tenant: call.tenant.slug) })
            },
            AdminRoute(
                method: .post, path: "/users", area: .users, operationID: "createUser", summary: "Create a user",
                requestSchema: "UserCreate", successStatus: 201, responseSchema: "User", returnsETag: true
            ) { call in
                let body = try await call.body(UserCreateBody.self)
                let user = try await call.administration.createUser(
                    in: call.tenant, username: body.username, password: body.password, actor: call.actor,
                    requestID: call.requestID)
                return call.json(
                    UserRepresentation(user, tenant: call.tenant.slug), status: .created, etag: String(user.version))
            },
            AdminRoute(
                method: .get, path: "/users/{user_id}", area: .users, operationID: "getUser", summary: "Read a user",
                successStatus: 200, responseSchema: "User", returnsETag: true
            ) { call in
                let user = try await call.administration.user(in: call.tenant, id: try call.parameter("user_id"))
                return call.json(UserRepresentation(user, tenant: call.tenant.slug), etag: String(user.version))
            },
            AdminRoute(
                method: .patch, path: "/users/{user_id}", area: .users, operationID: "updateUser",
                summary: "Disable or enable a user, reset their password, or replace their admin roles; needs If-Match",
                requestSchema: "UserUpdate", successStatus: 200, responseSchema: "User", returnsETag: true,
                requiresIfMatch: true
            ) { call in
                let version = try call.requiredVersion()
                let body = try await call.body(UserUpdateBody.self)
                // Roles are the right to administer: an admin of one area must not grant itself all.
                if body.roles != nil, !call.scopes.contains("tessera:admin") {
                    throw ProblemResponse.forbidden("tessera:admin")
                }
                let user = try await call.administration.updateUser(
                    in: call.tenant, id: try call.parameter("user_id"), status: body.status, password: body.password,
                    roles: body.roles, expectedVersion: version.map { Int($0) ?? -1 }, actor: call.actor,
                    requestID: call.requestID
                )
                return call.json(UserRepresentation(user, tenant: call.tenant.slug), etag: String(user.version))
            },
            AdminRoute(
                method: .get, path: "/users/{user_id}/consents", area: .users, operationID: "listUserConsents",
                summary: "The apps a user has allowed, by client id", successStatus: 200, responseSchema: "ConsentPage",
                query: ["limit", "cursor"]
            ) { call in
                let page = try PageRequest(call.request)
                let user = try await call.administration.user(in: call.tenant, id: try call.parameter("user_id"))
                let rows = try await call.administration.consents(of: user, in: call.tenant)
                return call.json(
                    page.page(ofAll: rows, key: \.clientID) {
                        ConsentRepresentation(
                            clientID: $0.clientID, scope: $0.scopes.description, createdAt: $0.createdAt,
                            updatedAt: $0.updatedAt)
                    })
            },
            AdminRoute(
                method: .delete, path: "/users/{user_id}/consents/{client_id}", area: .users,
                operationID: "revokeUserConsent",
                summary: "Withdraw a user's consent for a client; its refresh tokens are revoked at once",
                successStatus: 204, responseSchema: nil
            ) { call in
                let user = try await call.administration.user(in: call.tenant, id: try call.parameter("user_id"))
                let clientID = try call.parameter("client_id")
                guard
                    try await call.services.accountService.revokeConsent(
                        userID: user.id, clientID: clientID, tenant: call.context.tenant, requestID: call.requestID,
                        actor: call.actor)
                else { throw ProblemResponse.notFound("the user has no consent for client '\(clientID)'") }
                return Response(status: .noContent, headers: [.cacheControl: "no-store"])
            },
        ]
    }
}
