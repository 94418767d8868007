import SwiftASN1
import X509

/// A distinguished name (X.501 `Name ::= RDNSequence`) as a list of relative distinguished
/// names, each a set of attribute type-and-value pairs: what a certificate's subject or issuer
/// is, and what a `tls_client_auth_subject_dn` registration (RFC 8705 §2.1.2) names.
///
/// Names are kept parsed, not as strings, because one name has many spellings: `CN=device-1,O=Acme`
/// and `cn=device-1, o=Acme` are the same name, and `matches(_:)` says so (RFC 4517 §4.2.15).
///
/// `rdns` is in RFC 4514 order, most specific first (`CN=…,O=…,C=…`): the reverse of the DER
/// order in the certificate.
public struct RDNSequence: Sendable, CustomStringConvertible {
    public struct Attribute: Sendable, Hashable {
        let type: AttributeType
        public let value: Value

        /// The type as RFC 4514 §2.3 writes it: a short name (`CN`) or a dotted OID.
        public var typeName: String { type.name }
        /// The type's object identifier, dotted (`2.5.4.3`).
        public var oid: String { type.dotted }
    }

    public enum Value: Sendable, Hashable {
        /// The characters of a string-typed value.
        case text(String)
        /// The DER encoding of a value that is not a string or whose type has no short name
        /// (RFC 4514 §2.4 writes both as `#hex`), or an RFC 4514 string's `#hex` value.
        case encoded([UInt8])

        /// The characters, also of an encoded value of a string type.
        var text: String? {
            switch self {
            case .text(let text): text
            case .encoded(let der): DirectoryString.text(ofDER: der)
            }
        }
    }

    public let rdns: [[Attribute]]

    init(rdns: [[Attribute]]) { self.rdns = rdns }

    /// A certificate's name. A value of a known type in any string type is kept as text
    /// (`DirectoryString`); every other value as its DER encoding, which matching still reads
    /// as text where it is a string.
    public init(_ name: DistinguishedName) {
        rdns = name.reversed().map { rdn in
            rdn.map { attribute in
                let type = AttributeType(oid: attribute.type.oidComponents)
                return Attribute(type: type, value: Self.value(of: attribute.value, type: type))
            }
        }
    }

    private static func value(of value: RelativeDistinguishedName.Attribute.Value, type: AttributeType) -> Value {
        var serializer = DER.Serializer()
        guard (try? serializer.serialize(ASN1Any(value))) != nil else { return .text(String(value) ?? "") }
        let der = serializer.serializedBytes
        guard type.isKnown, let text = DirectoryString.text(ofDER: der) else { return .encoded(der) }
        return .text(text)
    }

    public var isEmpty: Bool { rdns.isEmpty }

    /// The RFC 4514 string: RDNs separated by `,`, multi-valued RDNs joined by `+`, registered
    /// short names (§2.3), values escaped (§2.4), `#hex` for encoded values.
    public var description: String {
        rdns.map { rdn in
            rdn.map { attribute in "\(attribute.type.name)=\(Self.written(attribute.value))" }.joined(separator: "+")
        }.joined(separator: ",")
    }

    private static func written(_ value: Value) -> String {
        switch value {
        case .text(let text):
            return escaped(text)
        case .encoded(let der):
            let digits = Array("0123456789abcdef")
            return "#" + String(der.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
        }
    }

    /// RFC 4514 §2.4: `\` before `"`, `+`, `,`, `;`, `<`, `>`, `\` anywhere, before `#` or a
    /// space at the start and a space at the end; NUL as `\00`. Other control characters are
    /// written as hex pairs too, so that a name never breaks a log line.
    static func escaped(_ text: String) -> String {
        var output = ""
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            switch scalar {
            case "\"", "+", ",", ";", "<", ">", "\\":
                output += "\\\(scalar)"
            case "#" where index == 0:
                output += "\\#"
            case " " where index == 0 || index == scalars.count - 1:
                output += "\\ "
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let digits = Array("0123456789ABCDEF")
                output += "\\\(digits[Int(scalar.value >> 4)])\(digits[Int(scalar.value & 0x0F)])"
            default:
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }
}
