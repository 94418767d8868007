import Foundation
import RawStructuredFieldValues

/// The RFC 9440 `Client-Cert` header: how a TLS-terminating proxy hands the client's
/// certificate to Tessera.
extension ClientCertificate {
    /// The header's name (RFC 9440 §2.2).
    public static let clientCertHeaderName = "Client-Cert"

    /// Reads a `Client-Cert` value: RFC 9440 §2.2 makes it a structured-field Item (RFC 8941
    /// §3.3) that is a Byte Sequence (`:base64-of-DER:`, §3.3.5) holding exactly one DER
    /// certificate. Parameters on the item are ignored, as RFC 8941 §2.2 asks of unknown ones.
    ///
    /// Everything else is refused: an empty value, a string or token, a list of two items (a
    /// header sent twice arrives joined by a comma), base64 that does not decode, and bytes that
    /// are not one certificate. The caller takes the value only from a trusted proxy.
    public init(clientCertHeader value: String) throws(OAuthError) {
        let item: Item
        do {
            var parser = StructuredFieldValueParser(Array(value.utf8))
            item = try parser.parseItemFieldValue()
        } catch {
            throw .invalidRequest("the Client-Cert header is not one structured-field item (RFC 9440 section 2.2)")
        }
        guard case .undecodedByteSequence(let base64) = item.rfc9651BareItem else {
            throw .invalidRequest("the Client-Cert header must be a byte sequence :base64-DER: (RFC 9440 section 2.2)")
        }
        // RFC 8941 §4.2.7: a parser should not fail on missing `=` padding.
        let padded = base64 + String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let der = Data(base64Encoded: padded), !der.isEmpty else {
            throw .invalidRequest("the Client-Cert header's byte sequence is empty or not base64")
        }
        try self.init(derEncoded: Array(der))
    }

    /// The certificate as a `Client-Cert` value (`:base64-DER:`), as a proxy would send it.
    public var clientCertHeaderValue: String {
        var serializer = StructuredFieldValueSerializer()
        let base64 = Data(derEncoded).base64EncodedString()
        let item = Item(bareItem: RFC9651BareItem.undecodedByteSequence(base64), parameters: [:])
        // A byte sequence of base64 always serialises; the fallback is the same text by hand.
        guard let bytes = try? serializer.writeItemFieldValue(item) else {
            return ":\(base64):"
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
