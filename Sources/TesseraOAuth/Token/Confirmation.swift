import TesseraJOSE

/// RFC 7800 `cnf`: what a sender-constrained access token is bound to. RFC 9449 §6.1 names a
/// DPoP key by its RFC 7638 thumbprint (`jkt`); RFC 8705 §3.1 names a client certificate by the
/// SHA-256 of its DER (`x5t#S256`). A token carries one of the two.
public struct Confirmation: Sendable, Equatable, CompactJSONEncodable {
    public let jkt: String?
    public let certificateThumbprint: String?

    public init(jkt: String) {
        self.jkt = jkt
        certificateThumbprint = nil
    }

    public init(certificateThumbprint: String) {
        jkt = nil
        self.certificateThumbprint = certificateThumbprint
    }

    static let certificateMember = "x5t#S256"

    public var compactJSON: [UInt8] {
        var writer = JSONWriter(capacity: 64)
        writer.string("jkt", jkt)
        writer.string(Self.certificateMember, certificateThumbprint)
        return writer.finished()
    }

    /// A `cnf` with neither member, or both, binds to nothing Tessera can check, and is refused.
    init(compactJSON object: JSONObject) throws(JSONReader.Failure) {
        let jkt = try object.optionalString("jkt")
        let thumbprint = try object.optionalString(Self.certificateMember)
        switch (jkt, thumbprint) {
        case (let jkt?, nil): self.init(jkt: jkt)
        case (nil, let thumbprint?): self.init(certificateThumbprint: thumbprint)
        default: throw JSONReader.Failure(reason: "cnf must carry jkt or x5t#S256")
        }
    }
}

extension DPoPProof {
    /// RFC 9449 §6.1: what a token issued with this proof carries in `cnf`.
    var confirmation: Confirmation { Confirmation(jkt: jkt) }
}

extension TokenResponse {
    /// RFC 9449 §5: `DPoP` for tokens bound to a proof's key, `Bearer` otherwise (RFC 6750 §4);
    /// a certificate-bound token is presented as a bearer token over mutual TLS (RFC 8705 §3).
    static func tokenType(boundTo proof: DPoPProof?) -> String { proof == nil ? "Bearer" : "DPoP" }
}
