import Foundation
import Hummingbird

/// One way to write JSON: sorted keys (stable bodies, stable ETags), unescaped slashes (issuer
/// URLs stay readable) and RFC 3339 dates.
enum JSONResponse {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static func make<Body: Encodable>(
        _ body: Body, status: HTTPResponse.Status = .ok, contentType: String = "application/json",
        headers: HTTPFields = [:]
    ) -> Response {
        let data = (try? encoder.encode(body)) ?? Data("{}".utf8)
        return raw(data, status: status, contentType: contentType, headers: headers)
    }

    static func raw(
        _ data: Data, status: HTTPResponse.Status = .ok, contentType: String = "application/json",
        headers: HTTPFields = [:]
    )
        -> Response
    {
        var headers = headers
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
