/// A value from outside (a flag, a form field, a JSON member) that breaks a domain rule.
///
/// `field` names the input so the CLI can print one line and the admin API can point at the
/// member in its problem details.
public struct ValidationError: Error, Equatable, Sendable, CustomStringConvertible {
    public let field: String
    public let message: String

    public init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}
