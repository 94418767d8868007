import Crypto
import Foundation

/// The client certificate of a request, as a TLS-terminating proxy forwards it in `Client-Cert`
/// (RFC 9440 §2.2: a structured-field Byte Sequence of the DER, `:MIIB…:`). This API never sees
/// the TLS handshake, so it believes the header only from the proxies it was told to trust
/// (`--trusted-proxy`); from anyone else the header is what anyone could send, and is ignored.
/// The proxy verified the chain and the client's possession of the key; what remains here is
/// RFC 8705 §3: the certificate's SHA-256 must be the token's `cnf["x5t#S256"]`.
struct ClientCertificateHeader: Sendable {
    let trustedProxies: Set<String>

    enum Reading: Equatable {
        /// No header, or one from a peer that is not a trusted proxy.
        case none(ignoredFrom: String?)
        /// RFC 8705 §3.1: base64url(SHA-256(DER)).
        case thumbprint(String)
        case malformed
    }

    /// `values`: every `Client-Cert` header of the request; `peer`: the address it came from.
    func read(_ values: [String], peer: String?) -> Reading {
        guard !values.isEmpty else { return .none(ignoredFrom: nil) }
        guard let peer, trustedProxies.contains(peer) else { return .none(ignoredFrom: peer ?? "an unknown peer") }
        guard values.count == 1, let value = values.first?.trimmingCharacters(in: .whitespaces),
            value.count > 2, value.hasPrefix(":"), value.hasSuffix(":"),
            let der = Data(base64Encoded: String(value.dropFirst().dropLast())), !der.isEmpty
        else { return .malformed }
        return .thumbprint(Base64URL.encode(Data(SHA256.hash(data: der))))
    }
}
