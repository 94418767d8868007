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

extension DPoPProof {
    /// RFC 9449 §6.1: what a token issued with this proof carries in `cnf`.
    var confirmation: Confirmation { Confirmation(jkt: jkt) }
}

extension TokenResponse {
    /// RFC 9449 §5: `DPoP` for tokens bound to a proof's key, `Bearer` otherwise (RFC 6750 §4).
    static func tokenType(boundTo proof: DPoPProof?) -> String { proof == nil ? "Bearer" : "DPoP" }
}
