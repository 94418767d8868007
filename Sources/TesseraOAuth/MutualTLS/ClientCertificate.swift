import Crypto
import Foundation
import SwiftASN1
import TesseraCore
import X509

/// The X.509 certificate a client presented in its TLS handshake with the proxy in front of
/// Tessera (RFC 8705 §2), read once into what client authentication and certificate-bound
/// tokens ask of it.
///
/// Possession of the private key was proven to the proxy by the handshake itself; what the
/// certificate says is only believed as far as `TrustedProxies` and the proxy's own chain
/// verification allow (see `MutualTLSAuthentication`).
public struct ClientCertificate: Sendable {
    /// The certificate exactly as the client sent it: what the thumbprint is taken over.
    public let derEncoded: [UInt8]
    public let certificate: Certificate

    /// RFC 8705 §3.1 `x5t#S256`: base64url (no padding) of the SHA-256 of the DER encoding. A
    /// certificate-bound token carries it as `cnf` member `x5t#S256`.
    public let thumbprint: String

    public let subject: RDNSequence
    public let issuer: RDNSequence

    /// Subject alternative names (RFC 5280 §4.2.1.6) of the kinds RFC 8705 §2.1.2 registers.
    public let dnsNames: [String]
    public let uris: [String]
    /// `iPAddress` entries as text: dotted quad, or RFC 5952 IPv6.
    public let ipAddresses: [String]
    /// `rfc822Name` entries.
    public let emailAddresses: [String]
    /// The same `iPAddress` entries as addresses, for comparison by value.
    let ipAddressValues: [IPAddress]

    /// Reads a DER-encoded certificate. It must be one certificate and nothing else; a
    /// certificate whose subject alternative names do not parse is refused too, since a name
    /// that cannot be read could be the one that should have matched.
    public init(derEncoded der: [UInt8]) throws(OAuthError) {
        let certificate: Certificate
        let alternativeNames: SubjectAlternativeNames?
        do {
            certificate = try Certificate(derEncoded: der)
            alternativeNames = try certificate.extensions.subjectAlternativeNames
        } catch {
            throw .invalidRequest("the client certificate is not a DER-encoded X.509 certificate")
        }
        self.derEncoded = der
        self.certificate = certificate
        thumbprint = Base64URL.encode(SHA256.hash(data: der))
        subject = RDNSequence(certificate.subject)
        issuer = RDNSequence(certificate.issuer)

        var dnsNames: [String] = []
        var uris: [String] = []
        var addresses: [IPAddress] = []
        var emailAddresses: [String] = []
        for name in alternativeNames ?? SubjectAlternativeNames() {
            switch name {
            case .dnsName(let name): dnsNames.append(name)
            case .uniformResourceIdentifier(let uri): uris.append(uri)
            case .rfc822Name(let address): emailAddresses.append(address)
            case .ipAddress(let octets):
                // 4 or 16 octets in a certificate (RFC 5280 §4.2.1.6); other lengths name nothing.
                if let address = IPAddress(octets: octets.bytes) { addresses.append(address) }
            default: break
            }
        }
        self.dnsNames = dnsNames
        self.uris = uris
        self.emailAddresses = emailAddresses
        ipAddressValues = addresses
        ipAddresses = addresses.map(\.description)
    }

    /// The subject as an RFC 4514 string (`CN=device-1,O=Acme`).
    public var subjectDN: String { subject.description }

    public var notValidBefore: Date { certificate.notValidBefore }
    public var notValidAfter: Date { certificate.notValidAfter }

    public var publicKey: Certificate.PublicKey { certificate.publicKey }

    /// The DER encoding of the certificate's SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
    public var subjectPublicKeyInfo: [UInt8] {
        var serializer = DER.Serializer()
        // Serialising a key that was just parsed from DER does not fail.
        guard (try? serializer.serialize(certificate.publicKey)) != nil else { return [] }
        return serializer.serializedBytes
    }

    /// Whether issuer and subject are the same name (RFC 5280 §6.1: a self-issued certificate):
    /// encoded alike, or equal as names (`RDNSequence.matches`), so that no re-spelling of one
    /// name, in another case or another string type, passes for two. Every self-signed
    /// certificate is self-issued.
    public var isSelfIssued: Bool {
        Self.encoded(certificate.subject) == Self.encoded(certificate.issuer) || subject.matches(issuer)
    }

    private static func encoded(_ name: DistinguishedName) -> [UInt8]? {
        var serializer = DER.Serializer()
        guard (try? serializer.serialize(name)) != nil else { return nil }
        return serializer.serializedBytes
    }

    /// Whether the certificate is self-issued and its signature verifies with its own key.
    public var isSelfSigned: Bool {
        isSelfIssued && certificate.publicKey.isValidSignature(certificate.signature, for: certificate)
    }

    /// RFC 5280 §4.1.2.5: valid from `notBefore` through `notAfter`, both inclusive.
    public func isValid(at now: Date) -> Bool {
        notValidBefore <= now && now <= notValidAfter
    }
}
