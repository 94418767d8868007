import Foundation

/// One file of `schema/<dialect>/NNNN_name.sql`, carried in the binary by the EmbedSchema plugin.
struct Migration: Sendable, Equatable {
    let version: Int
    let name: String
    let sql: String

    /// The migrations of one dialect in version order. A file whose name does not start with a
    /// number, or two files with one number, are build mistakes caught by the tests.
    static func all(for dialect: SQLDialect) -> [Migration] {
        let folder = dialect == .postgres ? "postgres" : "sqlite"
        return EmbeddedSchema.migrations
            .filter { $0.dialect == folder }
            .compactMap { entry in
                guard let version = Int(entry.name.prefix(while: \.isNumber)) else { return nil }
                return Migration(version: version, name: entry.name, sql: entry.sql)
            }
            .sorted { $0.version < $1.version }
    }

    /// The statements of the file, split on `;` outside quotes and comments: PostgreSQL's
    /// extended protocol runs one statement per query.
    var statements: [String] {
        var statements: [String] = []
        var current = ""
        var inQuote = false
        var inComment = false
        var previous: Character = "\0"
        for character in sql {
            if inComment {
                if character == "\n" { inComment = false }
                previous = character
                continue
            }
            if !inQuote, character == "-", previous == "-" {
                current.removeLast()
                inComment = true
                previous = character
                continue
            }
            if character == "'" { inQuote.toggle() }
            if character == ";", !inQuote {
                let statement = current.trimmingCharacters(in: .whitespacesAndNewlines)
                if !statement.isEmpty { statements.append(statement) }
                current = ""
            } else {
                current.append(character)
            }
            previous = character
        }
        let rest = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !rest.isEmpty { statements.append(rest) }
        return statements
    }
}

extension SQLExecutor {
    /// Applies the migrations not yet recorded, each with its record, in the caller's transaction.
    /// The caller holds the migration lock.
    func applyPendingMigrations() async throws -> [String] {
        try await execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY, name text NOT NULL, applied_at \(dialect == .postgres ? "timestamptz" : "INTEGER") NOT NULL)
            """, [])
        let applied = Set(try await execute("SELECT version FROM schema_migrations", []).map { try $0.int("version") })
        var names: [String] = []
        for migration in Migration.all(for: dialect) where !applied.contains(migration.version) {
            for statement in migration.statements {
                do {
                    try await execute(statement, [])
                } catch {
                    throw StoreError.migration("\(migration.name): \(error)")
                }
            }
            try await execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                [.int(migration.version), .text(migration.name), .date(Date())])
            names.append(migration.name)
        }
        return names
    }
}
