import Foundation
import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraOAuth

extension AdminRoutes {
    static var clientRoutes: [AdminRoute] {
        [
            AdminRoute(
                method: .get, path: "/clients", area: .clients, operationID: "listClients",
                summary: "List the tenant's clients", successStatus: 200, responseSchema: "ClientPage",
                query: ["limit", "cursor"]
            ) { call in
                let page = try PageRequest(call.request)
                let rows = try await call.administration.clients(
                    in: call.tenant, after: page.after, limit: page.limit + 1)
                return call.json(page.page(rows, key: \.id) { ClientRepresentation($0, tenant: call.tenant.slug) })
            },
            AdminRoute(
                method: .post, path: "/clients", area: .clients, operationID: "createClient",
                summary: "Register a client; a confidential client's secret is in this answer only",
                requestSchema: "ClientCreate", successStatus: 201, responseSchema: "Client", returnsETag: true
            ) { call in
                let body = try await call.body(ClientCreateBody.self)
                let (client, secret) = try await call.administration.createClient(
                    in: call.tenant, try body.registration(), actor: call.actor, requestID: call.requestID)
                return call.json(
                    ClientRepresentation(client, tenant: call.tenant.slug, secret: secret), status: .created,
                    etag: String(client.version))
            },
            AdminRoute(
                method: .get, path: "/clients/{client_id}", area: .clients, operationID: "getClient",
                summary: "Read a client", successStatus: 200, responseSchema: "Client", returnsETag: true
            ) { call in
                let client = try await call.administration.client(in: call.tenant, id: try call.parameter("client_id"))
                return call.json(ClientRepresentation(client, tenant: call.tenant.slug), etag: String(client.version))
            },
            AdminRoute(
                method: .patch, path: "/clients/{client_id}", area: .clients, operationID: "updateClient",
                summary: "Change a client (disable it with status=disabled); needs If-Match",
                requestSchema: "ClientUpdate", successStatus: 200, responseSchema: "Client", returnsETag: true,
                requiresIfMatch: true
            ) { call in
                let version = try call.requiredVersion()
                let body = try await call.body(ClientUpdateBody.self)
                let client = try await call.administration.updateClient(
                    in: call.tenant, id: try call.parameter("client_id"), body.changes,
                    expectedVersion: version.map { Int($0) ?? -1 }, actor: call.actor, requestID: call.requestID
                )
                return call.json(ClientRepresentation(client, tenant: call.tenant.slug), etag: String(client.version))
            },
            AdminRoute(
                method: .delete, path: "/clients/{client_id}", area: .clients, operationID: "deleteClient",
                summary: "Delete a client", successStatus: 204, responseSchema: nil
            ) { call in
                try await call.administration.deleteClient(
                    in: call.tenant, id: try call.parameter("client_id"), actor: call.actor,
                    requestID: call.requestID)
                return Response(status: .noContent, headers: [.cacheControl: "no-store"])
            },
            AdminRoute(
                method: .post, path: "/clients/{client_id}/secret", area: .clients, operationID: "rotateClientSecret",
                summary: "Give a confidential client a new secret, shown in this answer only", successStatus: 200,
                responseSchema: "Client", returnsETag: true
            ) { call in
                let (client, secret) = try await call.administration.rotateClientSecret(
                    in: call.tenant, id: try call.parameter("client_id"), actor: call.actor,
                    requestID: call.requestID)
                return call.json(
                    ClientRepresentation(client, tenant: call.tenant.slug, secret: secret), etag: String(client.version)
                )
            },
        ]
    }
}
