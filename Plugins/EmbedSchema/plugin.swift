import Foundation
import PackagePlugin

/// Carries `schema/*/*.sql` inside the binary: the SQL files stay the one source, and a
/// deployed `tessera` needs nothing from the source tree to migrate a database.
@main
struct EmbedSchema: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let schema = context.package.directoryURL.appending(path: "schema")
        let dialects = ["postgres", "sqlite"]
        var inputs: [URL] = []
        for dialect in dialects {
            let folder = schema.appending(path: dialect)
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            inputs += names.filter { $0.hasSuffix(".sql") }.sorted().map { folder.appending(path: $0) }
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedSchema.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(inputs.count) schema files",
                executable: try context.tool(named: "SchemaEmbedder").url,
                arguments: [output.path, schema.path] + inputs.map(\.path),
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }
}
