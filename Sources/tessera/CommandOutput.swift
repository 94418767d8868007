import ArgumentParser
import Foundation
import TesseraCore
import TesseraOAuth
import TesseraStore

/// How commands print: exactly one JSON document with `--json`, a readable table otherwise;
/// errors as one sentence on stderr.
enum CommandOutput {
    static func json(_ value: some Encodable) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        encoder.dateEncodingStrategy = .iso8601
        let data = (try? encoder.encode(value)) ?? Data("null".utf8)
        print(String(decoding: data, as: UTF8.self))
    }

    /// Columns padded to their widest cell.
    static func table(_ header: [String], _ rows: [[String]]) {
        let widths = header.indices.map { column in
            ([header] + rows).map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0
        }
        for row in [header] + rows {
            let cells = row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }
            print(cells.joined(separator: "  "))
        }
    }

    static func fail(_ error: any Error) -> Never {
        let message: String
        switch error {
        case let error as CustomStringConvertible: message = error.description
        default: message = "\(error)"
        }
        let hint = nextStep(after: error).map { "; \($0)" } ?? ""
        FileHandle.standardError.write(Data("error: \(message)\(hint)\n".utf8))
        exit(1)
    }

    /// What to run next, in the CLI's own words: the layers below describe what is wrong, and
    /// only the CLI knows its commands (an admin API client must never read them).
    static func nextStep(after error: any Error) -> String? {
        switch error {
        case AdministrationError.unknownTenant: "`tessera tenant list` shows the tenants"
        case AdministrationError.unknownScope: "create it with `tessera scope create`"
        case AdministrationError.unknownIdentityProvider: "`tessera provider list --tenant T` shows the providers"
        default: nil
        }
    }
}
