import Foundation

// Usage: SchemaEmbedder OUTPUT SCHEMA_ROOT FILE...
// Writes a Swift file whose `EmbeddedSchema.migrations` lists every FILE as (dialect, name, sql),
// the dialect being the folder under SCHEMA_ROOT. Run by the EmbedSchema build plugin.

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: SchemaEmbedder OUTPUT SCHEMA_ROOT FILE...\n".utf8))
    exit(2)
}
let output = arguments[1]
let root = URL(fileURLWithPath: arguments[2]).standardizedFileURL.path
var entries: [String] = []
for path in arguments.dropFirst(3).sorted() {
    let url = URL(fileURLWithPath: path).standardizedFileURL
    let sql = try String(contentsOf: url, encoding: .utf8)
    let dialect = url.deletingLastPathComponent().lastPathComponent
    precondition(url.path.hasPrefix(root), "\(path) is not under \(root)")
    // A raw string delimiter longer than any run of '#' in the file can never be closed early.
    var hashes = "#"
    while sql.contains("\"" + hashes) { hashes += "#" }
    entries.append(
        """
            (dialect: "\(dialect)", name: "\(url.lastPathComponent)", sql: \(hashes)\"\"\"
        \(sql)
        \"\"\"\(hashes)),
        """)
}
let source = """
    // Generated at build time by SchemaEmbedder from schema/; edit the .sql files instead.

    enum EmbeddedSchema {
        static let migrations: [(dialect: String, name: String, sql: String)] = [
    \(entries.joined(separator: "\n"))
        ]
    }

    """
try source.write(toFile: output, atomically: true, encoding: .utf8)
