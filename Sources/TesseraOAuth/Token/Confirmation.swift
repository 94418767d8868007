import TesseraJOSE

/// RFC 7800 `cnf`: the key a sender-constrained access token is bound to. RFC 9449 §6.1 names a
/// DPoP key by its RFC 7638 thumbprint (`jkt`).
public struct Confirmation: Sendable, Equatable, CompactJSONEncodable {
    public let jkt: String

    public init(jkt: String) { self.jkt = jkt }

    public var compactJSON: [UInt8] {
        var writer = JSONWriter(capacity: 64)
        writer.string("jkt", jkt)
        return writer.finished()
    }

    init(compactJSON object: JSONObject) throws(JSONReader.Failure) {
        jkt = try object.string("jkt")
    }
}
