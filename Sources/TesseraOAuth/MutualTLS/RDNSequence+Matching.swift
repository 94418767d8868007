extension RDNSequence {
    /// RFC 4517 §4.2.15 `distinguishedNameMatch`: the same number of RDNs, and each RDN of one
    /// matches the RDN at the same position of the other. RDNs match when they have the same
    /// number of attributes and every attribute of one matches an attribute of the other (an
    /// RDN is a set: `CN=a+UID=b` is `UID=b+CN=a`).
    ///
    /// Two attribute values match by their type's equality rule (RFC 4519 §2): for the known
    /// types `caseIgnoreMatch`, after RFC 4518 preparation reduced to what certificates need:
    /// insignificant space handling (§2.6.1: no leading or trailing spaces, inner runs as one)
    /// and case folding. Values of unknown types compare exactly after space handling; values
    /// that are not strings compare by their DER bytes.
    public func matches(_ other: RDNSequence) -> Bool {
        guard rdns.count == other.rdns.count else { return false }
        return zip(rdns, other.rdns).allSatisfy { mine, theirs in
            mine.count == theirs.count
                && mine.allSatisfy { attribute in theirs.contains { Self.matches(attribute, $0) } }
                && theirs.allSatisfy { attribute in mine.contains { Self.matches(attribute, $0) } }
        }
    }

    static func matches(_ a: Attribute, _ b: Attribute) -> Bool {
        guard a.type == b.type else { return false }
        if case .encoded(let left) = a.value, case .encoded(let right) = b.value, left == right { return true }
        guard let left = a.value.text, let right = b.value.text else { return false }
        let preparedLeft = prepared(left, ignoringCase: a.type.ignoresCase)
        let preparedRight = prepared(right, ignoringCase: a.type.ignoresCase)
        return preparedLeft == preparedRight
    }

    /// RFC 4518 §2.6.1 insignificant space handling, then case folding where the rule ignores
    /// case. Swift's `==` on the results compares by canonical equivalence, which covers the
    /// normalisation step (§2.3) for the values certificates carry.
    static func prepared(_ text: String, ignoringCase: Bool) -> String {
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        let spaced = words.joined(separator: " ")
        return ignoringCase ? spaced.lowercased() : spaced
    }
}
