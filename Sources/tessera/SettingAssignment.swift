import TesseraCore

/// `--set KEY=VALUE` of `tessera tenant settings`: the CLI's own spelling of a setting change.
/// Durations take a plain number of seconds or a unit (`s`, `m`, `h`, `d`), so
/// `key_rotation_period=30d` reads as it is meant; the layers below see typed values only.
enum SettingAssignment {
    static func parse(_ assignment: String) throws(ValidationError) -> (TenantSetting, TenantSettingValue) {
        guard let equals = assignment.firstIndex(of: "=") else {
            throw ValidationError(field: "set", "expected KEY=VALUE, got '\(assignment)'")
        }
        let key = String(assignment[..<equals]).trimmingCharacters(in: .whitespaces)
        let text = String(assignment[assignment.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
        guard let setting = TenantSetting.named(key) else {
            throw ValidationError(
                field: key,
                "unknown setting; known settings: \(TenantSetting.all.map(\.name).joined(separator: ", "))")
        }
        switch setting.kind {
        case .duration: return (setting, .integer(try duration(text, key)))
        case .count:
            guard let number = Int(text) else { throw ValidationError(field: key, "'\(text)' is not a whole number") }
            return (setting, .integer(number))
        case .signingAlgorithm:
            guard let algorithm = SigningAlgorithm(name: text), algorithm.isPublishable else {
                throw ValidationError(field: key, "use one of ES256, EdDSA (Ed25519), RS256")
            }
            return (setting, .algorithm(algorithm))
        case .choice: return (setting, .text(text))
        case .flag:
            guard let on = Bool(text) else { throw ValidationError(field: key, "'\(text)' is not true or false") }
            return (setting, .flag(on))
        }
    }

    /// All assignments, the last one winning for a setting named twice.
    static func parse(_ assignments: [String]) throws(ValidationError) -> [TenantSetting: TenantSettingValue] {
        var changes: [TenantSetting: TenantSettingValue] = [:]
        for assignment in assignments {
            let (setting, value) = try parse(assignment)
            changes[setting] = value
        }
        return changes
    }

    static func duration(_ text: String, _ key: String) throws(ValidationError) -> Int {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
        var digits = Substring(text)
        var unit = 1
        if let last = text.last, let multiplier = units[last] {
            digits = text.dropLast()
            unit = multiplier
        }
        guard let number = Int(digits), number >= 0, number <= Int(Int32.max) else {
            throw ValidationError(field: key, "'\(text)' is not a duration such as 600, 10m, 12h or 30d")
        }
        return number * unit
    }
}
