import NIOSSL

/// The certificate authorities outgoing https requests trust: the system's, and those of a
/// PEM file the deployment names (`TESSERA_OUTBOUND_CA_FILE`, for a company CA in front of
/// upstream providers, or a test CA on loopback). Adding a CA never widens which addresses
/// may be contacted: `OutboundAddressPolicy` decides that.
public struct OutboundTrustRoots: Sendable {
    let additional: [NIOSSLAdditionalTrustRoots]

    public static let system = OutboundTrustRoots(additional: [])

    /// The system's CAs and those in `path` (PEM), read when a request is made.
    public static func systemAndFile(_ path: String) -> OutboundTrustRoots {
        OutboundTrustRoots(additional: [.file(path)])
    }

    /// The system's CAs and these certificates (PEM).
    public static func systemAnd(pem: [UInt8]) throws -> OutboundTrustRoots {
        OutboundTrustRoots(additional: [.certificates(try NIOSSLCertificate.fromPEMBytes(pem))])
    }
}
