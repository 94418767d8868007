/// The parameters of an `application/x-www-form-urlencoded` request body, as every OAuth
/// endpoint that takes a POST reads them (RFC 6749 §3.2, §4.1.3, §4.4.2; RFC 7009 §2.1;
/// RFC 7662 §2.1; RFC 8628 §3.1 and §3.4; RFC 8693 §2.1).
///
/// Parsing enforces the rules of RFC 6749 §3.1 once, for every endpoint:
/// - a parameter sent without a value is treated as omitted;
/// - a parameter MUST NOT be included more than once, except those in `repeatable`
///   (`resource`, RFC 8707 §2, and `audience`, RFC 8693 §2.1), read with `values(_:)`;
/// - names and values are decoded as the form encoding prescribes (WHATWG URL §5.1): `+` is a
///   space, `%XX` is a byte, and the bytes must be UTF-8.
public struct FormParameters: Sendable, Equatable {
    /// Bodies longer than this are refused unread; no OAuth request comes near it.
    public static let maximumBodyLength = 64 * 1024

    /// Names that may be sent more than once unless the caller says otherwise.
    public static let defaultRepeatable: Set<String> = ["resource", "audience"]

    /// A request without a body.
    public static let empty = FormParameters(storage: [:])

    /// Each name's values in the order they were sent; never empty, never containing "".
    private let storage: [String: [String]]

    private init(storage: [String: [String]]) { self.storage = storage }

    public init(body: [UInt8], repeatable: Set<String> = FormParameters.defaultRepeatable) throws(OAuthError) {
        guard body.count <= Self.maximumBodyLength else {
            throw .invalidRequest("the request body is larger than \(Self.maximumBodyLength) bytes")
        }
        var storage: [String: [String]] = [:]
        for pair in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let (rawName, rawValue): (ArraySlice<UInt8>, ArraySlice<UInt8>)
            if let equals = pair.firstIndex(of: UInt8(ascii: "=")) {
                (rawName, rawValue) = (pair[..<equals], pair[(equals + 1)...])
            } else {
                (rawName, rawValue) = (pair, [])
            }
            guard let name = Self.decode(rawName) else {
                throw .invalidRequest("a parameter name is not valid form encoding")
            }
            guard let value = Self.decode(rawValue) else {
                throw .invalidRequest("the value of '\(Self.printable(name))' is not valid form encoding")
            }
            // RFC 6749 §3.1: "Parameters sent without a value MUST be treated as if they were
            // omitted from the request." A nameless pair names nothing.
            guard !name.isEmpty, !value.isEmpty else { continue }
            if storage[name] != nil, !repeatable.contains(name) {
                throw .invalidRequest("the parameter '\(Self.printable(name))' was sent more than once")
            }
            storage[name, default: []].append(value)
        }
        self.storage = storage
    }

    public init(body: String, repeatable: Set<String> = FormParameters.defaultRepeatable) throws(OAuthError) {
        try self.init(body: Array(body.utf8), repeatable: repeatable)
    }

    /// The parameter's value, or nil when it was not sent (or sent empty). For a repeatable
    /// parameter sent several times, the first value.
    public subscript(_ name: String) -> String? { storage[name]?.first }

    /// Every value of the parameter, in the order sent; empty when it was not sent.
    public func values(_ name: String) -> [String] { storage[name] ?? [] }

    /// The parameter's value; `invalid_request` when it is missing (RFC 6749 §5.2).
    public func require(_ name: String) throws(OAuthError) -> String {
        guard let value = self[name] else {
            throw .invalidRequest("the parameter '\(Self.printable(name))' is missing")
        }
        return value
    }

    public func contains(_ name: String) -> Bool { storage[name] != nil }

    /// The names that were sent with a value.
    public var names: Set<String> { Set(storage.keys) }

    /// Parameters that did not come as a form (a request object's claims, RFC 9101 §4); empty
    /// values are left out, as they would be from a form.
    public init(values: [String: [String]]) {
        storage = values.mapValues { $0.filter { !$0.isEmpty } }.filter { !$0.value.isEmpty }
    }

    /// These parameters with `name` holding `value` alone.
    public func setting(_ name: String, to value: String) -> FormParameters {
        var changed = storage
        changed[name] = [value]
        return FormParameters(storage: changed)
    }

    /// These parameters without `names`.
    public func removing(_ names: Set<String>) -> FormParameters {
        FormParameters(storage: storage.filter { !names.contains($0.key) })
    }

    /// The form encoding these parameters parse back from, in name order.
    public var formEncoded: String {
        storage.sorted { $0.key < $1.key }.flatMap { name, values in
            values.map { "\(FormEncoding.encode(name))=\(FormEncoding.encode($0))" }
        }.joined(separator: "&")
    }

    // MARK: - Decoding

    /// Decodes one form-encoded component: `+` → space, `%XX` → byte, then strict UTF-8.
    /// Nil for a `%` not followed by two hex digits, or bytes that are not UTF-8.
    static func decode(_ encoded: some Collection<UInt8>) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encoded.count)
        var iterator = encoded.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// A parameter name as it may appear in an error description: short, and only the
    /// characters OAuth parameter names use (RFC 6749 Appendix A).
    static func printable(_ name: String) -> String {
        let characters = name.unicodeScalars.prefix(64).map { scalar -> Character in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_", "-", ".", ":": Character(scalar)
            default: "?"
            }
        }
        return String(characters)
    }
}
