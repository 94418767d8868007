/// An attribute type of a distinguished name, by object identifier, with the short name
/// RFC 4514 §2.3 writes it with and the matching rule its value compares by.
struct AttributeType: Hashable, Sendable {
    let oid: [UInt]

    /// Names from RFC 4519 §2 (and PKCS #9 for `emailAddress`), each registered in the IANA LDAP
    /// descriptor registry, so RFC 4514 §2.3 lets a DN string use them. The first name of an
    /// entry is the one Tessera writes; the others are accepted when reading (case-insensitively,
    /// RFC 4512 §1.4: descriptors are case-insensitive).
    static let known: [(oid: [UInt], names: [String])] = [
        ([2, 5, 4, 3], ["CN", "commonName"]),
        ([2, 5, 4, 4], ["SN", "surname"]),
        ([2, 5, 4, 5], ["serialNumber"]),
        ([2, 5, 4, 6], ["C", "countryName"]),
        ([2, 5, 4, 7], ["L", "localityName"]),
        ([2, 5, 4, 8], ["ST", "stateOrProvinceName"]),
        ([2, 5, 4, 9], ["STREET", "streetAddress"]),
        ([2, 5, 4, 10], ["O", "organizationName"]),
        ([2, 5, 4, 11], ["OU", "organizationalUnitName"]),
        ([2, 5, 4, 12], ["title"]),
        ([2, 5, 4, 17], ["postalCode"]),
        ([2, 5, 4, 42], ["givenName", "GN"]),
        ([2, 5, 4, 43], ["initials"]),
        ([2, 5, 4, 44], ["generationQualifier"]),
        ([2, 5, 4, 46], ["dnQualifier"]),
        ([2, 5, 4, 65], ["pseudonym"]),
        ([2, 5, 4, 97], ["organizationIdentifier"]),
        ([0, 9, 2342, 19_200_300, 100, 1, 1], ["UID", "userId"]),
        ([0, 9, 2342, 19_200_300, 100, 1, 25], ["DC", "domainComponent"]),
        ([1, 2, 840, 113_549, 1, 9, 1], ["emailAddress", "E", "email"]),
    ]

    private static let byName: [String: [UInt]] = {
        var table: [String: [UInt]] = [:]
        for (oid, names) in known { for name in names { table[name.lowercased()] = oid } }
        return table
    }()

    private static let shortNames: [[UInt]: String] = {
        var table: [[UInt]: String] = [:]
        for (oid, names) in known { table[oid] = names[0] }
        return table
    }()

    init(oid: [UInt]) { self.oid = oid }

    /// A descriptor (`cn`, `O`, `emailAddress`) or a dotted OID (`2.5.4.3`, RFC 4512 §1.4
    /// `numericoid`: no leading zeros, at least two arcs).
    init?(name: Substring) {
        if let first = name.first, first.isASCII, first.isNumber {
            let arcs = name.split(separator: ".", omittingEmptySubsequences: false)
            var oid: [UInt] = []
            for arc in arcs {
                guard !arc.isEmpty, arc.allSatisfy({ $0.isASCII && $0.isNumber }), arc == "0" || !arc.hasPrefix("0"),
                    let value = UInt(arc)
                else { return nil }
                oid.append(value)
            }
            guard oid.count >= 2 else { return nil }
            self.oid = oid
        } else {
            guard let oid = Self.byName[name.lowercased()] else { return nil }
            self.oid = oid
        }
    }

    /// RFC 4514 §2.3: the registered short name, otherwise the dotted OID.
    var name: String { Self.shortNames[oid] ?? dotted }

    var dotted: String { oid.map(String.init).joined(separator: ".") }

    /// Whether the type has a short name. RFC 4514 §2.4 writes the value of a type without one
    /// as `#` and the hex of its BER encoding.
    var isKnown: Bool { Self.shortNames[oid] != nil }

    /// Every known type compares by `caseIgnoreMatch` or `caseIgnoreIA5Match` (RFC 4519 §2;
    /// `countryName`, `dnQualifier`, `serialNumber`, `domainComponent` and `emailAddress`
    /// included). A type Tessera does not know compares exactly, after space handling.
    var ignoresCase: Bool { isKnown }
}
