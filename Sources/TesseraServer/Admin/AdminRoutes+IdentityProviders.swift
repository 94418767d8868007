import Foundation
import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraOAuth

extension AdminRoutes {
    /// Upstream identity providers (docs/upstream-identity-providers.md), by slug.
    static var identityProviderRoutes: [AdminRoute] {
        [
            AdminRoute(
                method: .get, path: "/identity-providers", area: .identityProviders,
                operationID: "listIdentityProviders", summary: "List the tenant's upstream identity providers, by slug",
                successStatus: 200, responseSchema: "IdentityProviderPage", query: ["limit", "cursor"]
            ) { call in
                let page = try PageRequest(call.request)
                let rows = try await call.administration.identityProviders(in: call.tenant)
                return call.json(page.page(ofAll: rows, key: \.slug) { representation($0, call) })
            },
            AdminRoute(
                method: .post, path: "/identity-providers", area: .identityProviders,
                operationID: "createIdentityProvider",
                summary: "Add an upstream OpenID Provider users may sign in with (its secret is write-only)",
                requestSchema: "IdentityProviderCreate", successStatus: 201, responseSchema: "IdentityProvider",
                returnsETag: true
            ) { call in
                let body = try await call.body(IdentityProviderCreateBody.self)
                let provider = try await call.administration.createIdentityProvider(
                    in: call.tenant, body.input(), actor: call.actor, requestID: call.requestID)
                return call.json(representation(provider, call), status: .created, etag: String(provider.version))
            },
            AdminRoute(
                method: .get, path: "/identity-providers/{slug}", area: .identityProviders,
                operationID: "getIdentityProvider", summary: "Read an upstream identity provider", successStatus: 200,
                responseSchema: "IdentityProvider", returnsETag: true
            ) { call in
                let provider = try await call.administration.identityProvider(
                    in: call.tenant, slug: try call.parameter("slug"))
                return call.json(representation(provider, call), etag: String(provider.version))
            },
            AdminRoute(
                method: .patch, path: "/identity-providers/{slug}", area: .identityProviders,
                operationID: "updateIdentityProvider",
                summary: "Change a provider's name, secret, scopes, claim mapping or enabled flag; needs If-Match",
                requestSchema: "IdentityProviderUpdate", successStatus: 200, responseSchema: "IdentityProvider",
                returnsETag: true, requiresIfMatch: true
            ) { call in
                let version = try call.requiredVersion().map { Int($0) ?? -1 }
                let body = try await call.body(IdentityProviderUpdateBody.self)
                let slug = try call.parameter("slug")
                let current = try await call.administration.identityProvider(in: call.tenant, slug: slug)
                let provider = try await call.administration.updateIdentityProvider(
                    in: call.tenant, slug: slug, body.changes(from: current), expectedVersion: version,
                    actor: call.actor, requestID: call.requestID)
                return call.json(representation(provider, call), etag: String(provider.version))
            },
            AdminRoute(
                method: .delete, path: "/identity-providers/{slug}", area: .identityProviders,
                operationID: "deleteIdentityProvider",
                summary: "Remove an upstream identity provider (linked accounts keep their links)", successStatus: 204,
                responseSchema: nil
            ) { call in
                try await call.administration.deleteIdentityProvider(
                    in: call.tenant, slug: try call.parameter("slug"), actor: call.actor, requestID: call.requestID)
                return Response(status: .noContent, headers: [.cacheControl: "no-store"])
            },
        ]
    }

    private static func representation(
        _ provider: IdentityProvider, _ call: AdminCall
    ) -> IdentityProviderRepresentation {
        IdentityProviderRepresentation(
            provider, tenant: call.tenant.slug, issuer: call.publicURL.issuer(for: call.tenant.slug))
    }
}
