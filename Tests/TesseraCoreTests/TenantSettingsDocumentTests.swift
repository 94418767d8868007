import Foundation
import TesseraCore
import Testing

/// docs/tenant-settings.md says what the settings table says: every setting, in order, with
/// its default, range and meaning. Change the table and this fails until the document follows.
@Suite("Tenant settings document")
struct TenantSettingsDocumentTests {
    static let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/tenant-settings.md")

    /// `600` → `10 min`, `86400` → `1 d`: the largest unit that divides the value.
    static func duration(_ seconds: Int) -> String {
        for (unit, size) in [("d", 86_400), ("h", 3_600), ("min", 60)] where seconds >= size && seconds % size == 0 {
            return "\(seconds / size) \(unit)"
        }
        return "\(seconds) s"
    }

    /// The row the document must have for `setting`.
    static func row(_ setting: TenantSetting) -> String {
        let (defaultText, range): (String, String)
        switch (setting.kind, setting.defaultValue) {
        case (.duration(let bounds), .integer(let value)):
            (defaultText, range) = (duration(value), "\(duration(bounds.lowerBound)) – \(duration(bounds.upperBound))")
        case (.count(let bounds), .integer(let value)):
            (defaultText, range) = (String(value), "\(bounds.lowerBound) – \(bounds.upperBound)")
        case (.signingAlgorithm, let value):
            (defaultText, range) = (value.description, "ES256, EdDSA, RS256")
        case (.choice(let values), let value):
            (defaultText, range) = ("`\(value)`", values.map { "`\($0)`" }.joined(separator: ", "))
        case (.flag, let value):
            (defaultText, range) = ("`\(value)`", "`true`, `false`")
        default:
            (defaultText, range) = ("?", "?")
        }
        return "| `\(setting.name)` | \(defaultText) | \(range) | \(setting.summary) |"
    }

    @Test func theDocumentListsEverySettingAsTheTableDefinesIt() throws {
        let text = try String(contentsOf: Self.document, encoding: .utf8)
        let rows = text.split(separator: "\n").map(String.init).filter { $0.hasPrefix("| `") }
        let expected = TenantSetting.all.map(Self.row)
        #expect(
            rows == expected, "docs/tenant-settings.md should have these rows:\n\(expected.joined(separator: "\n"))")
    }
}
