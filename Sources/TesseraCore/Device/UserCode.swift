/// The code a person types on the verification page (RFC 8628 §6.1, INTERFACE.md): 8 letters
/// from an alphabet without vowels (no words) and without look-alikes, shown as `XXXX-XXXX`.
/// 20^8 ≈ 2.6 × 10^10 values; with codes living 10 minutes and guesses rate-limited, guessing one
/// is hopeless.
public enum UserCode {
    public static let alphabet = Array("BCDFGHJKLMNPQRSTVWXZ")
    public static let length = 8

    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let letters = (0..<length).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] }
        return format(String(letters))
    }

    /// What a person typed, made canonical: case, spaces and dashes do not matter. Nil when it
    /// cannot be a user code at all, so a typo costs no database lookup.
    public static func normalize(_ typed: String) -> String? {
        let letters = typed.uppercased().filter { $0 != "-" && !$0.isWhitespace }
        guard letters.count == length, letters.allSatisfy(alphabet.contains) else { return nil }
        return format(letters)
    }

    static func format(_ letters: String) -> String {
        String(letters.prefix(4)) + "-" + String(letters.dropFirst(4))
    }
}
