import TesseraJOSE

/// The extra facts of an audit line, as a JSON object written by `JSONWriter` (never by string
/// interpolation, so a client name with a quote cannot break the line). Never a secret.
struct AuditDetails: Sendable {
    private var writer = JSONWriter(capacity: 64)

    init() {}

    func string(_ name: String, _ value: String) -> AuditDetails {
        var copy = self
        copy.writer.string(name, value)
        return copy
    }

    func strings(_ name: String, _ values: [String]) -> AuditDetails {
        var copy = self
        copy.writer.strings(name, values)
        return copy
    }

    func number(_ name: String, _ value: Int) -> AuditDetails {
        var copy = self
        copy.writer.number(name, value)
        return copy
    }

    var json: String { String(decoding: writer.finished(), as: UTF8.self) }
}
