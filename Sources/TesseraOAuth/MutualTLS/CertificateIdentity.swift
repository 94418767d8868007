import Foundation
import TesseraCore

/// Which certificate a `tls_client_auth` client is (RFC 8705 §2.1.2): the client registers
/// exactly one of five metadata values, and a certificate that the proxy verified against its
/// trust anchors authenticates the client when its subject DN or one of its subject alternative
/// names matches that value.
///
/// The payload is the value as registered, so registration metadata reads back as it was sent;
/// `validate()` checks it when it is registered and `matches(_:)` compares on every request.
public enum CertificateIdentity: Sendable, Hashable {
    /// `tls_client_auth_subject_dn`: an RFC 4514 string, compared as a distinguished name.
    case subjectDN(String)
    /// `tls_client_auth_san_dns`: a `dNSName` entry, compared case-insensitively.
    case sanDNS(String)
    /// `tls_client_auth_san_uri`: a `uniformResourceIdentifier` entry, compared exactly.
    case sanURI(String)
    /// `tls_client_auth_san_ip`: an `iPAddress` entry in IPv4 or IPv6 text, compared by value.
    case sanIP(String)
    /// `tls_client_auth_san_email`: an `rfc822Name` entry; the domain compares case-insensitively.
    case sanEmail(String)

    /// The five metadata names of RFC 8705 §2.1.2, in its order.
    public static let metadataNames = CertificateSubject.names

    /// One value under its metadata name, validated.
    public init(metadataName name: String, value: String) throws(ValidationError) {
        switch name {
        case "tls_client_auth_subject_dn": self = .subjectDN(value)
        case "tls_client_auth_san_dns": self = .sanDNS(value)
        case "tls_client_auth_san_uri": self = .sanURI(value)
        case "tls_client_auth_san_ip": self = .sanIP(value)
        case "tls_client_auth_san_email": self = .sanEmail(value)
        default: throw ValidationError(field: name, "not a tls_client_auth metadata name (RFC 8705 section 2.1.2)")
        }
        try validate()
    }

    /// From a registration's members: RFC 8705 §2.1.2 requires exactly one of the five.
    /// Members under other names are not looked at.
    public init(metadata: [String: String]) throws(ValidationError) {
        let present = Self.metadataNames.filter { metadata[$0] != nil }
        guard present.count == 1, let name = present.first, let value = metadata[name] else {
            throw ValidationError(
                field: "tls_client_auth_subject_dn",
                present.isEmpty
                    ? "tls_client_auth needs one of \(Self.metadataNames.joined(separator: ", "))"
                    : "tls_client_auth takes exactly one of \(present.joined(separator: ", ")) (RFC 8705 section 2.1.2)"
            )
        }
        try self.init(metadataName: name, value: value)
    }

    public var metadataName: String {
        switch self {
        case .subjectDN: "tls_client_auth_subject_dn"
        case .sanDNS: "tls_client_auth_san_dns"
        case .sanURI: "tls_client_auth_san_uri"
        case .sanIP: "tls_client_auth_san_ip"
        case .sanEmail: "tls_client_auth_san_email"
        }
    }

    public var value: String {
        switch self {
        case .subjectDN(let value), .sanDNS(let value), .sanURI(let value), .sanIP(let value), .sanEmail(let value):
            value
        }
    }

    /// Whether the registered value can ever match: a DN that parses as RFC 4514 and is not
    /// empty, a DNS name of letters, digits and hyphens (a leading `*` label allowed, to match a
    /// wildcard entry literally), an absolute URI, an IP address, an address with one `@`.
    public func validate() throws(ValidationError) {
        let field = metadataName
        switch self {
        case .subjectDN(let text):
            let name: RDNSequence
            do {
                name = try RDNSequence(rfc4514: text)
            } catch {
                throw ValidationError(field: field, error.description)
            }
            guard !name.isEmpty else { throw ValidationError(field: field, "the distinguished name is empty") }
        case .sanDNS(let name):
            guard Self.isDNSName(name) else {
                throw ValidationError(field: field, "not a DNS name (letters, digits, hyphens, dot-separated)")
            }
        case .sanURI(let uri):
            guard !uri.contains(where: \.isWhitespace), let components = URLComponents(string: uri),
                components.scheme?.isEmpty == false
            else { throw ValidationError(field: field, "not an absolute URI") }
        case .sanIP(let address):
            guard IPAddress(address) != nil else { throw ValidationError(field: field, "not an IPv4 or IPv6 address") }
        case .sanEmail(let address):
            guard Self.emailParts(address) != nil else {
                throw ValidationError(field: field, "not an email address (local-part@domain)")
            }
        }
    }

    /// Whether the certificate carries the registered value: the subject DN by RFC 4517
    /// `distinguishedNameMatch`, a subject alternative name of the registered kind by the
    /// comparison RFC 5280 §7 gives for it. A value that does not validate matches nothing.
    public func matches(_ certificate: ClientCertificate) -> Bool {
        switch self {
        case .subjectDN(let text):
            guard let name = try? RDNSequence(rfc4514: text), !name.isEmpty else { return false }
            return name.matches(certificate.subject)
        case .sanDNS(let name):
            // RFC 5280 §7.2: DNS names compare case-insensitively.
            let wanted = name.lowercased()
            return certificate.dnsNames.contains { $0.lowercased() == wanted }
        case .sanURI(let uri):
            return certificate.uris.contains(uri)
        case .sanIP(let text):
            guard let address = IPAddress(text) else { return false }
            return certificate.ipAddressValues.contains(address)
        case .sanEmail(let address):
            // RFC 5280 §7.5: the local part compares exactly, the domain case-insensitively.
            guard let (local, domain) = Self.emailParts(address) else { return false }
            return certificate.emailAddresses.contains { presented in
                guard let (presentedLocal, presentedDomain) = Self.emailParts(presented) else { return false }
                return presentedLocal == local && presentedDomain.lowercased() == domain.lowercased()
            }
        }
    }

    static func isDNSName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        return labels.enumerated().allSatisfy { index, label in
            if index == 0, label == "*", labels.count > 1 { return true }
            return !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    static func emailParts(_ address: String) -> (local: Substring, domain: Substring)? {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, isDNSName(String(parts[1])),
            !address.contains(where: { $0.isWhitespace })
        else { return nil }
        return (parts[0], parts[1])
    }
}
