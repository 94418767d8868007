import Foundation
import HTTPTypes
import Hummingbird
import TesseraCore

/// Gives every request an id: the caller's `X-Request-Id` when it is a sane token (so a
/// gateway's id flows through), a random one otherwise. It is echoed in the response and
/// attached to every log line of the request.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = TesseraRequestContext

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        var context = context
        let id = request.headers[.requestID].flatMap(Self.acceptable) ?? RandomToken.generate(bytes: 12)
        context.requestID = id
        context.logger[metadataKey: "request_id"] = .string(id)
        var response = try await next(request, context)
        response.headers[.requestID] = id
        return response
    }

    static func acceptable(_ value: String) -> String? {
        guard (1...128).contains(value.utf8.count),
            value.utf8.allSatisfy({ byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
            })
        else { return nil }
        return value
    }
}

extension HTTPField.Name {
    static let requestID = Self("X-Request-Id")!
}
