import Hummingbird
import NIOCore
import TesseraOAuth

/// Reading an `application/x-www-form-urlencoded` body: the OAuth endpoints (RFC 6749 §3.2)
/// and the HTML forms both take nothing else.
enum FormBody {
    static let formType = "application/x-www-form-urlencoded"

    static func read(_ request: Request) async throws(OAuthError) -> FormParameters {
        guard let type = request.headers[.contentType], isFormType(type) else {
            throw OAuthError.invalidRequest("the body must be application/x-www-form-urlencoded")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: FormParameters.maximumBodyLength)
        } catch {
            throw OAuthError.invalidRequest("the body is larger than \(FormParameters.maximumBodyLength) bytes")
        }
        return try FormParameters(body: Array(body.readableBytesView))
    }

    /// The media type before any parameters, without surrounding SP/HTAB, compared
    /// case-insensitively (RFC 9110 §8.3.1). Byte by byte: Foundation's trimming showed in the
    /// token endpoint's profile.
    static func isFormType(_ contentType: String) -> Bool {
        let bytes = Array(contentType.utf8)
        let end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.endIndex
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = bytes[..<end].firstIndex(where: { !isSpace($0) }),
            let last = bytes[..<end].lastIndex(where: { !isSpace($0) })
        else { return false }
        let type = bytes[first...last]
        let lowered = type.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }
        return lowered.elementsEqual(formType.utf8)
    }
}
