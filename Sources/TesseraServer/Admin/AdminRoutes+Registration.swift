import Foundation
import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraOAuth

extension AdminRoutes {
    /// Dynamic client registration (docs/dynamic-client-registration.md): initial access tokens
    /// and the registration policy. Verifying a registered client is `PATCH /clients/{id}`.
    static var registrationRoutes: [AdminRoute] {
        [
            AdminRoute(
                method: .get, path: "/registration-tokens", area: .clients, operationID: "listRegistrationTokens",
                summary: "List the tenant's initial access tokens (never their values)", successStatus: 200,
                responseSchema: "RegistrationTokenPage", query: ["limit", "cursor"]
            ) { call in
                let page = try PageRequest(call.request)
                let rows = try await call.administration.registrationTokens(in: call.tenant)
                return call.json(
                    page.page(ofAll: rows, key: { $0.id.uuidString.lowercased() }) {
                        RegistrationTokenRepresentation($0)
                    })
            },
            AdminRoute(
                method: .post, path: "/registration-tokens", area: .clients, operationID: "createRegistrationToken",
                summary: "Issue an initial access token for RFC 7591 registration; its value is shown once",
                requestSchema: "RegistrationTokenCreate", successStatus: 201, responseSchema: "RegistrationToken"
            ) { call in
                let body = try await call.body(RegistrationTokenCreateBody.self)
                let (token, value) = try await call.administration.createRegistrationToken(
                    in: call.tenant, uses: body.uses, lifetime: body.ttl ?? 86_400, actor: call.actor,
                    requestID: call.requestID)
                return call.json(RegistrationTokenRepresentation(token, value: value), status: .created)
            },
            AdminRoute(
                method: .delete, path: "/registration-tokens/{id}", area: .clients,
                operationID: "revokeRegistrationToken", summary: "Revoke an initial access token", successStatus: 204,
                responseSchema: nil
            ) { call in
                let text = try call.parameter("id")
                guard let id = UUID(uuidString: text) else { throw AdministrationError.unknownRegistrationToken(text) }
                try await call.administration.revokeRegistrationToken(
                    in: call.tenant, id: id, actor: call.actor, requestID: call.requestID)
                return Response(status: .noContent, headers: [.cacheControl: "no-store"])
            },
            AdminRoute(
                method: .get, path: "/registration-policy", area: .clients, operationID: "getRegistrationPolicy",
                summary: "What clients that register themselves may have", successStatus: 200,
                responseSchema: "RegistrationPolicy", returnsETag: true
            ) { call in
                let policy = try await call.administration.registrationPolicy(of: call.tenant)
                return call.json(RegistrationPolicyRepresentation(policy), etag: String(policy.version))
            },
            AdminRoute(
                method: .put, path: "/registration-policy", area: .clients, operationID: "setRegistrationPolicy",
                summary: "Replace the registration policy (what the body leaves out is the default); needs If-Match",
                requestSchema: "RegistrationPolicyUpdate", successStatus: 200, responseSchema: "RegistrationPolicy",
                returnsETag: true, requiresIfMatch: true
            ) { call in
                let version = try call.requiredVersion().map { Int($0) ?? -1 }
                let body = try await call.body(RegistrationPolicyBody.self)
                let policy = try await call.administration.setRegistrationPolicy(
                    of: call.tenant, try body.policy(), expectedVersion: version, actor: call.actor,
                    requestID: call.requestID)
                return call.json(RegistrationPolicyRepresentation(policy), etag: String(policy.version))
            },
            AdminRoute(
                method: .get, path: "/resources", area: .clients, operationID: "listResources",
                summary: "List the protected resources (APIs, MCP servers) any client may ask tokens for",
                successStatus: 200, responseSchema: "ResourcePage", query: ["limit", "cursor"]
            ) { call in
                let page = try PageRequest(call.request)
                let resources = try await call.administration.resources(of: call.tenant)
                return call.json(page.page(ofAll: resources, key: \.identifier) { ResourceRepresentation($0) })
            },
            AdminRoute(
                method: .post, path: "/resources", area: .clients, operationID: "createResource",
                summary: "Register a protected resource by its RFC 8707 / RFC 9728 identifier",
                requestSchema: "ResourceCreate", successStatus: 201, responseSchema: "Resource"
            ) { call in
                let body = try await call.body(ResourceCreateBody.self)
                let resource = try await call.administration.createResource(
                    in: call.tenant, identifier: body.identifier, name: body.name, scopes: body.scopes ?? [],
                    actor: call.actor, requestID: call.requestID)
                return call.json(ResourceRepresentation(resource), status: .created)
            },
            AdminRoute(
                method: .delete, path: "/resources/{identifier}", area: .clients, operationID: "deleteResource",
                summary:
                    "Remove a protected resource, named by its identifier percent-encoded as one path segment; tokens already issued for it stay valid until they expire",
                successStatus: 204, responseSchema: nil
            ) { call in
                let encoded = try call.parameter("identifier")
                guard let identifier = encoded.removingPercentEncoding else {
                    throw AdministrationError.unknownResource(encoded)
                }
                try await call.administration.deleteResource(
                    in: call.tenant, identifier: identifier, actor: call.actor, requestID: call.requestID)
                return Response(status: .noContent, headers: [.cacheControl: "no-store"])
            },
        ]
    }
}
