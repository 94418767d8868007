import Foundation
import JWTKit

/// The JSON settings of every token Tessera writes or reads, in one place.
enum TokenJSON {
    /// Payloads: NumericDate claims as whole seconds (RFC 7519 §2 allows fractions, but many
    /// verifiers choke on them and jwt-kit's default writes them), and `/` written as `/`, so an
    /// issuer URL reads `https://...` and not `https:\/\/...`.
    static let payloadEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .integerSecondsSince1970
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    /// Headers: a fixed member order keeps the prepared headers byte-for-byte stable.
    static let headerEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Reading accepts fractional NumericDates: tokens from other issuers may carry them.
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }()
}
