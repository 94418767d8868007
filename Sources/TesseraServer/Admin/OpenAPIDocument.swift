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
            let path = "/t/{tenant}/admin/v1" + route.path
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

    static func pathParameters(_ route: AdminRoute) -> [[String: Any]] {
        (["tenant"] + route.parameters).map { name in
            var schema: [String: Any] = ["type": "string"]
            if name == "tenant" || name == "slug" { schema["pattern"] = "^[a-z0-9][a-z0-9-]{0,62}$" }
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
            "description": "Needs the scope \(route.area.scope)\(route.area == .tenants ? "" : " or tessera:admin").",
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

    /// A request body: its optional members may also be `null`, which reads as "not given".
    static func input(_ properties: [String: Any], required: [String] = []) -> [String: Any] {
        var nullable = properties
        for (name, value) in properties where !required.contains(name) {
            guard var member = value as? [String: Any], let type = member["type"] as? String else { continue }
            member["type"] = [type, "null"]
            if let values = member["enum"] as? [Any] { member["enum"] = values + [NSNull()] }
            nullable[name] = member
        }
        return object(nullable, required: required)
    }

    static var string: [String: Any] { ["type": "string"] }
    static var dateTime: [String: Any] { ["type": "string", "format": "date-time"] }
    static var stringList: [String: Any] { ["type": "array", "items": ["type": "string"]] }
    static func nullable(_ type: String) -> [String: Any] { ["type": [type, "null"]] }
    static func page(_ item: String) -> [String: Any] {
        object(
            [
                "items": ["type": "array", "items": ["$ref": "#/components/schemas/\(item)"]],
                "next_cursor": nullable("string"),
            ],
            required: ["items"])
    }
    static var status: [String: Any] { ["type": "string", "enum": ["active", "disabled"]] }

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
            }
        }
        return object(properties, required: TenantSetting.all.map(\.name))
    }

    static var schemas: [String: Any] {
        [
            "Problem": object(
                [
                    "type": string, "title": string, "status": ["type": "integer"], "detail": string,
                    "errors": [
                        "type": "array",
                        "items": object(["field": string, "message": string], required: ["field", "message"]),
                    ],
                ], required: ["type", "title", "status", "detail"]),
            "Client": object(
                [
                    "client_id": string,
                    "client_secret": ["type": "string", "description": "only when just created or rotated"],
                    "tenant": string, "name": string, "public": ["type": "boolean"],
                    "token_endpoint_auth_method": string, "grant_types": stringList, "scope": string,
                    "redirect_uris": stringList, "audiences": stringList, "access_token_ttl": nullable("integer"),
                    "status": status, "version": ["type": "integer"], "created_at": dateTime,
                ],
                required: [
                    "client_id", "tenant", "name", "public", "token_endpoint_auth_method", "grant_types", "scope",
                    "redirect_uris", "audiences", "status", "version", "created_at",
                ]),
            "ClientCreate": input(
                [
                    "name": ["type": "string", "minLength": 1, "maxLength": 200], "public": ["type": "boolean"],
                    "token_endpoint_auth_method": [
                        "type": "string", "enum": ClientAuthMethod.allCases.map(\.rawValue),
                    ],
                    "jwks": string,
                    "grant_types": [
                        "type": "array", "items": ["type": "string", "enum": GrantType.allCases.map(\.rawValue)],
                    ],
                    "scope": string, "redirect_uris": stringList, "audiences": stringList,
                    "access_token_ttl": ["type": "integer", "minimum": 30, "maximum": 86_400],
                ], required: ["name"]),
            "ClientUpdate": input(
                [
                    "name": ["type": "string", "minLength": 1, "maxLength": 200],
                    "grant_types": [
                        "type": "array", "items": ["type": "string", "enum": GrantType.allCases.map(\.rawValue)],
                    ],
                    "scope": string, "redirect_uris": stringList, "audiences": stringList,
                    "access_token_ttl": ["type": "integer", "minimum": 30, "maximum": 86_400], "status": status,
                ]),
            "ClientPage": page("Client"),
            "User": object(
                ["id": string, "tenant": string, "username": string, "status": status, "created_at": dateTime],
                required: ["id", "tenant", "username", "status", "created_at"]),
            "UserCreate": input(
                [
                    "username": ["type": "string", "minLength": 1, "maxLength": 254],
                    "password": ["type": "string", "minLength": 8],
                ],
                required: ["username", "password"]),
            "UserUpdate": input(["status": status, "password": ["type": "string", "minLength": 8]]),
            "UserPage": page("User"),
            "Consent": object(
                ["client_id": string, "scope": string, "created_at": dateTime, "updated_at": dateTime],
                required: ["client_id", "scope", "created_at", "updated_at"]),
            "ConsentPage": page("Consent"),
            "Scope": object(
                ["tenant": string, "name": string, "description": string], required: ["tenant", "name", "description"]),
            "ScopeCreate": input(
                ["name": ["type": "string", "minLength": 1, "maxLength": 128], "description": string],
                required: ["name"]),
            "ScopePage": page("Scope"),
            "SigningKey": object(
                [
                    "kid": string, "alg": string, "state": string, "published": ["type": "boolean"],
                    "created_at": dateTime,
                    "activated_at": dateTime, "deactivated_at": dateTime, "retire_after": dateTime,
                    "ended_at": dateTime,
                ], required: ["kid", "alg", "state", "published", "created_at"]),
            "SigningKeyPage": page("SigningKey"),
            "KeyRotate": input(["alg": ["type": "string", "enum": ["ES256", "Ed25519", "EdDSA", "RS256"]]]),
            "AuditEvent": object(
                [
                    "id": string, "occurred_at": dateTime, "actor": string, "target": string,
                    "request_id": string, "details": ["type": "object"],
                    "action": ["type": "string", "enum": AuditAction.allCases.map(\.rawValue)],
                ], required: ["id", "occurred_at", "actor", "action", "target", "details"]),
            "AuditEventPage": page("AuditEvent"),
            "Tenant": object(
                [
                    "id": string, "slug": string, "name": string, "issuer": string, "status": status,
                    "settings": ["$ref": "#/components/schemas/TenantSettings"], "created_at": dateTime,
                ], required: ["id", "slug", "name", "issuer", "status", "settings", "created_at"]),
            "TenantSettings": tenantSettings,
            "TenantCreate": input(
                [
                    "slug": ["type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,62}$"],
                    "name": ["type": "string", "minLength": 1, "maxLength": 200],
                ],
                required: ["slug"]),
            "TenantUpdate": input(["status": status]),
            "TenantPage": page("Tenant"),
            "CreatedTenant": object(
                [
                    "tenant": ["$ref": "#/components/schemas/Tenant"],
                    "admin_client": ["$ref": "#/components/schemas/Client"],
                ],
                required: ["tenant", "admin_client"]),
        ]
    }
}

/// The admin API's description, for the command line (`tessera openapi`).
public enum AdminAPIDescription {
    public static var openAPIJSON: Data { OpenAPIDocument.json }
}
