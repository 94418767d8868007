import Foundation
import HTTPTypes
import Hummingbird
import TesseraCore
import TesseraJOSE
import TesseraOAuth

/// RFC 9457 problem details (`application/problem+json`): every admin API error, with the field that was wrong when one was.
struct ProblemResponse: Error, Sendable {
    let status: HTTPResponse.Status
    let title: String
    let detail: String
    var field: String? = nil
    var headers: HTTPFields = [:]

    /// RFC 9457 §3.1 members, and `errors` naming the member that was wrong.
    struct Body: AdminRepresentation {
        static let schemaName = "Problem"
        typealias Keys = CodingKeys

        struct FieldError: AdminRepresentation {
            static let schemaName = "FieldError"
            typealias Keys = CodingKeys

            let field: String
            let message: String

            enum CodingKeys: String, SchemaKey {
                case field, message

                var schema: MemberSchema { .text }
                var isRequired: Bool { true }
            }
        }

        var type = "about:blank"
        let title: String
        let status: Int
        let detail: String
        let errors: [FieldError]?

        enum CodingKeys: String, SchemaKey {
            case type, title, status, detail, errors

            var schema: MemberSchema {
                switch self {
                case .type, .title, .detail: .text
                case .status: .integer()
                case .errors: .array(.reference(FieldError.schemaName))
                }
            }

            var isRequired: Bool { self != .errors }
        }
    }

    var response: Response {
        var headers = self.headers
        headers[.cacheControl] = "no-store"
        return JSONResponse.make(
            Body(
                title: title, status: status.code, detail: detail,
                errors: field.map { [Body.FieldError(field: $0, message: detail)] }),
            status: status, contentType: "application/problem+json", headers: headers)
    }

    /// 401 with the RFC 6750 §3 challenge, and RFC 9449 §7.1's DPoP one beside it; a failed
    /// proof is named on the DPoP challenge.
    /// `dpopNonce`: RFC 9449 §9, the nonce a `use_dpop_nonce` answer hands the client.
    static func unauthorized(
        _ detail: String, error: String? = "invalid_token", dpopNonce: String? = nil
    ) -> ProblemResponse {
        var bearer = AuthenticationChallenge.bearer
        var dpop = AuthenticationChallenge.dpop
        if error == "invalid_dpop_proof" || error == "use_dpop_nonce", let error {
            dpop += #", error="\#(error)""#
        } else if let error {
            bearer += #", error="\#(error)""#
        }
        var headers: HTTPFields = [.wwwAuthenticate: bearer]
        headers.append(HTTPField(name: .wwwAuthenticate, value: dpop))
        if let dpopNonce { headers[.dpopNonce] = dpopNonce }
        return ProblemResponse(status: .unauthorized, title: "Unauthorized", detail: detail, headers: headers)
    }

    static func forbidden(_ scope: String) -> ProblemResponse {
        ProblemResponse(
            status: .forbidden, title: "Forbidden", detail: "this token lacks the scope \(scope) (or tessera:admin)",
            headers: [
                .wwwAuthenticate: AuthenticationChallenge.bearer + #", error="insufficient_scope", scope="\#(scope)""#
            ])
    }

    static func notFound(_ detail: String) -> ProblemResponse {
        ProblemResponse(status: .notFound, title: "Not Found", detail: detail)
    }

    static func badRequest(_ detail: String, field: String? = nil) -> ProblemResponse {
        ProblemResponse(status: .badRequest, title: "Bad Request", detail: detail, field: field)
    }

    /// What any error of the layers below means to an API caller; never a stack trace.
    static func from(_ error: any Error) -> ProblemResponse {
        if let failure = StorageFailure(error) { return from(failure) }
        switch error {
        case let problem as ProblemResponse:
            return problem
        case let error as ValidationError:
            return ProblemResponse(
                status: .unprocessableContent, title: "Unprocessable Content", detail: error.message, field: error.field
            )
        case let error as AdministrationError:
            switch error {
            case .unknownTenant, .unknownClient, .unknownUser, .unknownIdentityProvider, .unknownRegistrationToken,
                .unknownResource:
                return .notFound(error.description)
            case .unknownScope:
                return ProblemResponse(
                    status: .unprocessableContent, title: "Unprocessable Content", detail: error.description,
                    field: "scope")
            case .duplicate:
                return ProblemResponse(status: .conflict, title: "Conflict", detail: error.description)
            case .tenantDisabled:
                return ProblemResponse(status: .conflict, title: "Conflict", detail: error.description)
            case .versionMismatch:
                return ProblemResponse(
                    status: .preconditionFailed, title: "Precondition Failed", detail: error.description)
            }
        case let error as KeyError:
            return ProblemResponse(status: .conflict, title: "Conflict", detail: "\(error)")
        case let error as DecodingError:
            return .badRequest(Self.describe(error), field: Self.field(of: error))
        default:
            return .internalError
        }
    }

    static func from(_ failure: StorageFailure) -> ProblemResponse {
        switch failure {
        case .unavailable:
            ProblemResponse(
                status: .serviceUnavailable, title: "Service Unavailable",
                detail: "the database is unavailable; retry shortly", headers: [.retryAfter: "1"])
        case .conflict:
            ProblemResponse(
                status: .conflict, title: "Conflict", detail: "a concurrent change won; read again and retry")
        case .notFound(let what):
            .notFound("\(what) does not exist")
        }
    }

    static let internalError = ProblemResponse(
        status: .internalServerError, title: "Internal Server Error", detail: "an unexpected error occurred")

    static func field(of error: DecodingError) -> String? {
        let path: [any CodingKey]
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            path = context.codingPath
        case .keyNotFound(let key, let context):
            path = context.codingPath + [key]
        @unknown default:
            path = []
        }
        let names = path.map { $0.intValue.map(String.init) ?? $0.stringValue }
        return names.isEmpty ? nil : names.joined(separator: ".")
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "the member '\(key.stringValue)' is required"
        case .typeMismatch(let type, _): "a member has the wrong type (expected \(type))"
        case .valueNotFound(let type, _): "a member is null (expected \(type))"
        case .dataCorrupted: "the body is not valid JSON of the expected shape"
        @unknown default: "the body could not be read"
        }
    }
}

extension HTTPField.Name {
    static let ifMatch = Self("If-Match")!
    static let eTag = Self("ETag")!
}
