import Foundation
import TesseraCore
import Testing

@testable import TesseraServer

/// Each admin type's coding keys are the one declaration of its members: the schema they give
/// says exactly which members the decoding requires, and a representation writes no member its
/// schema does not declare.
@Suite("Admin schemas from the types")
struct AdminSchemaTests {
    /// A value the member's schema accepts.
    static func sample(_ schema: MemberSchema) -> Any {
        switch schema {
        case .string(let length, let pattern, let values):
            if let values { return values[0] }
            if pattern == TenantSlug.pattern { return "acme" }
            return String(repeating: "x", count: max(length?.lowerBound ?? 1, 1))
        case .integer(let range): return range?.lowerBound ?? 1
        case .boolean: return true
        case .dateTime: return "2026-12-01T00:00:00Z"
        case .array(let items): return [sample(items)]
        case .reference, .anyObject: return [String: Any]()
        case .described(let inner, _): return sample(inner)
        }
    }

    static func decodes<Body: AdminBody>(_ type: Body.Type, _ object: [String: Any]) -> Bool {
        guard let data = try? JSONSerialization.data(withJSONObject: object) else { return false }
        return (try? JSONDecoder().decode(Body.self, from: data)) != nil
    }

    static func check<Body: AdminBody>(_ type: Body.Type) {
        let keys = Array(Body.Keys.allCases)
        let full = Dictionary(uniqueKeysWithValues: keys.map { ($0.stringValue, sample($0.schema)) })
        #expect(decodes(type, full), "\(Body.schemaName) with every member")
        let required = Dictionary(
            uniqueKeysWithValues: keys.filter(\.isRequired).map { ($0.stringValue, sample($0.schema)) })
        #expect(decodes(type, required), "\(Body.schemaName) with its required members only")
        for key in keys where key.isRequired {
            var missing = required
            missing[key.stringValue] = nil
            #expect(!decodes(type, missing), "\(Body.schemaName) without \(key.stringValue) should be refused")
        }
    }

    @Test func everyBodyRequiresExactlyWhatItsSchemaSays() {
        for body in OpenAPIDocument.bodies { Self.check(body) }
    }

    @Test func representationsWriteOnlyTheirDeclaredMembers() throws {
        var registered = Client(
            tenantID: UUID(), id: "c1", name: "App", authMethod: .clientSecretBasic, secretHash: nil,
            grantTypes: [.clientCredentials], scopes: ScopeSet(["a"]), accessTokenTTL: 60,
            requirements: ClientRequirements(
                refreshTokenRotation: .reuse,
                certificateSubject: CertificateSubject(name: "tls_client_auth_san_dns", value: "d.example")
            )
            .requiring(.twoFactors),
            createdAt: Date())
        registered.backchannelLogout = try BackChannelLogout(uri: "https://app.example.com/bcl", sessionRequired: true)
        registered.requirements.idTokenSigningAlgorithm = .rs256
        let client = ClientRepresentation(registered, tenant: try TenantSlug("acme"), secret: "s")
        let written = try #require(
            try JSONSerialization.jsonObject(with: JSONResponse.encoder.encode(client)) as? [String: Any])
        let declared = Set(ClientRepresentation.Keys.allCases.map(\.stringValue))
        #expect(Set(written.keys) == declared)
        let document = OpenAPIDocument.document
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let all: [any AdminSchema.Type] =
            OpenAPIDocument.representations.map { $0 } + OpenAPIDocument.bodies.map { $0 }
        for type in all {
            #expect(schemas[type.schemaName] != nil, "\(type.schemaName) is in the document")
        }
    }
}
