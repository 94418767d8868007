/// One-time recovery codes: twelve base32 characters (60 bits, RFC 4648 alphabet, which has no 0
/// or 1 to mistake for O and I) in groups of four, `ABCD-EFGH-JKLM`. Typed with or without dashes, in any case;
/// compared by the SHA-256 of the normalized form. Sixty bits against a back-off that allows a
/// handful of guesses per minute is out of reach, and short enough to type from paper.
public enum RecoveryCode {
    static let length = 12

    public static func generate() -> String {
        let text = Array(Base32.encode(RandomToken.randomBytes(8)).prefix(length))
        return stride(from: 0, to: length, by: 4).map { String(text[$0..<($0 + 4)]) }.joined(separator: "-")
    }

    /// Upper case, without dashes and spaces.
    public static func normalized(_ typed: String) -> String {
        String(typed.uppercased().filter { $0 != "-" && !$0.isWhitespace })
    }

    /// Whether `typed` has a recovery code's shape (a TOTP code is six digits).
    public static func looksLikeOne(_ typed: String) -> Bool {
        let text = normalized(typed)
        return text.count == length && text.utf8.allSatisfy { Base32.alphabet.contains($0) }
    }
}
