import Foundation
import TesseraCore

/// The OpenAPI 3.1 description of the admin API, built from the route table (`AdminRoutes.all`)
/// so that it lists exactly the routes that exist. `tessera openapi` prints it; the repository
/// keeps a copy in `docs/openapi.json`, which a test holds equal to this.
enum OpenAPIDocument {
    static let json: Data = {
        let data =
            (try? JSONSerialization.data(
                withJSONObject: document, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data()
        return data + Data("\n".utf8)
    }()

    static var document: [String: Any] {
        var paths: [String: [String: Any]] = [:]
        for route in AdminRoutes.all {
            let path = documentPrefix + route.path
            paths[path, default: ["parameters": pathParameters(route)]][route.method.rawValue.lowercased()] =
                operation(route)
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Tessera admin API", "version": "1",
                "description":
                    "Per-tenant administration. Authenticate with a bearer access token of the same tenant (client credentials at {issuer}/token) whose scope includes tessera:admin or the narrower tessera:admin:<area>, and whose audience is the issuer (an admin client registered without audiences gets exactly that). Errors are RFC 9457 problem details. Lists are paginated with limit and the next_cursor of the previous page. Updates need If-Match with the ETag last read.",
            ],
            "servers": [["url": "/", "description": "the Tessera public URL"]],
            "security": [["bearer": []]],
            "paths": paths,
            "components": [
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer", "bearerFormat": "JWT"]],
                "schemas": schemas, "responses": problemResponses,
            ],
        ]
    }

    /// `/t/{tenant}/admin/v1`: the router's prefix, in the document's `{name}` form.
    static let documentPrefix =
        "/" + TenantWall.issuerPath.replacingOccurrences(of: ":tenant", with: "{tenant}") + "/" + AdminRoute.prefix

    static func pathParameters(_ route: AdminRoute) -> [[String: Any]] {
        (["tenant"] + route.parameters).map { name in
            var schema: [String: Any] = ["type": "string"]
            if name == "tenant" || name == "slug" { schema["pattern"] = TenantSlug.pattern }
            return ["name": name, "in": "path", "required": true, "schema": schema]
        }
    }

    static let problemStatuses = ["400", "401", "403", "404", "409", "412", "415", "422", "428", "503"]

    static func operation(_ route: AdminRoute) -> [String: Any] {
        var responses: [String: Any] = [:]
        for status in problemStatuses { responses[status] = ["$ref": "#/components/responses/Problem"] }
        var success: [String: Any] = ["description": route.summary]
        if let schema = route.responseSchema {
            success["content"] = ["application/json": ["schema": ["$ref": "#/components/schemas/\(schema)"]]]
        }
        if route.returnsETag {
            success["headers"] = ["ETag": ["description": "the version, for If-Match", "schema": ["type": "string"]]]
        }
        responses[String(route.successStatus)] = success
        var parameters: [[String: Any]] = route.query.map { name in
            name == "limit"
                ? ["name": "limit", "in": "query", "schema": ["type": "integer", "minimum": 1, "maximum": 200]]
                : [
                    "name": "cursor", "in": "query",
                    "schema": ["type": "string", "pattern": "^[A-Za-z0-9_-]*$"],
                    "description": "the next_cursor of the previous page",
                ]
        }
        if route.requiresIfMatch {
            parameters.append(["name": "If-Match", "in": "header", "required": true, "schema": ["type": "string"]])
        }
        var operation: [String: Any] = [
            "operationId": route.operationID, "summary": route.summary, "tags": [route.area.rawValue],
            "responses": responses,
            "description":
                "Needs the scope \(route.area.scope)\(route.area.scope == "tessera:admin" ? "" : " or tessera:admin").",
        ]
        if !parameters.isEmpty { operation["parameters"] = parameters }
        if let schema = route.requestSchema {
            operation["requestBody"] = [
                "required": route.operationID != "rotateKeys",
                "content": ["application/json": ["schema": ["$ref": "#/components/schemas/\(schema)"]]],
            ]
        }
        return operation
    }

    static var problemResponses: [String: Any] {
        [
            "Problem": [
                "description": "RFC 9457 problem details",
                "content": ["application/problem+json": ["schema": ["$ref": "#/components/schemas/Problem"]]],
            ]
        ]
    }

    static func object(_ properties: [String: Any], required: [String] = []) -> [String: Any] {
        ["type": "object", "properties": properties, "required": required]
    }

    /// The tenant's settings, from the settings table: one property per setting, with its range.
    static var tenantSettings: [String: Any] {
        var properties: [String: Any] = [:]
        for setting in TenantSetting.all {
            switch setting.kind {
            case .duration(let range), .count(let range):
                properties[setting.name] = [
                    "type": "integer", "minimum": range.lowerBound, "maximum": range.upperBound,
                    "description": setting.summary + (setting.kind == .duration(range) ? " (seconds)" : ""),
                ]
            case .signingAlgorithm:
                properties[setting.name] = [
                    "type": "string", "enum": SigningAlgorithm.allCases.filter(\.isPublishable).map(\.rawValue),
                    "description": setting.summary,
                ]
            case .choice(let values):
                properties[setting.name] = ["type": "string", "enum": values, "description": setting.summary]
            case .flag:
                properties[setting.name] = ["type": "boolean", "description": setting.summary]
            }
        }
        return object(properties, required: TenantSetting.all.map(\.name))
    }

    /// What the API writes and reads, each from its type's own declaration (its coding keys).
    static var representations: [any AdminRepresentation.Type] {
        [
            ProblemResponse.Body.self, ProblemResponse.Body.FieldError.self,
            ClientRepresentation.self, Page<ClientRepresentation>.self, UserRepresentation.self,
            Page<UserRepresentation>.self, ConsentRepresentation.self, Page<ConsentRepresentation>.self,
            ScopeRepresentation.self, Page<ScopeRepresentation>.self, SigningKeyRepresentation.self,
            Page<SigningKeyRepresentation>.self, AuditEventRepresentation.self, Page<AuditEventRepresentation>.self,
            TenantRepresentation.self, Page<TenantRepresentation>.self, CreatedTenantRepresentation.self,
            IdentityProviderRepresentation.self, Page<IdentityProviderRepresentation>.self,
            RegistrationTokenRepresentation.self, Page<RegistrationTokenRepresentation>.self,
            RegistrationPolicyRepresentation.self, ResourceRepresentation.self, Page<ResourceRepresentation>.self,
        ]
    }
    static var bodies: [any AdminBody.Type] {
        [
            ClientCreateBody.self, ClientUpdateBody.self, UserCreateBody.self, UserUpdateBody.self,
            ScopeCreateBody.self,
            KeyRotateBody.self, TenantCreateBody.self, TenantUpdateBody.self, IdentityProviderCreateBody.self,
            IdentityProviderUpdateBody.self, RegistrationTokenCreateBody.self, RegistrationPolicyBody.self,
            ResourceCreateBody.self,
        ]
    }

    static var schemas: [String: Any] {
        var schemas: [String: Any] = ["TenantSettings": tenantSettings]
        for type in representations { schemas[type.schemaName] = type.objectSchema(nullable: false) }
        for type in bodies { schemas[type.schemaName] = type.objectSchema(nullable: true) }
        return schemas
    }
}

/// The admin API's description, for the command line (`tessera openapi`).
public enum AdminAPIDescription {
    public static var openAPIJSON: Data { OpenAPIDocument.json }
}
