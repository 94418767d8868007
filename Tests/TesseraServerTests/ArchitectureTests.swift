import Foundation
import Testing

/// The layering of docs/architecture.md, checked on the source tree: what each module imports.
@Suite("Architecture")
struct ArchitectureTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    /// The Swift files of `module`, each with the modules it imports.
    static func imports(of module: String) throws -> [(file: String, imports: Set<String>)] {
        let folder = sources.appendingPathComponent(module)
        guard let files = FileManager.default.enumerator(atPath: folder.path) else { return [] }
        return try files.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }.sorted().map { file in
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            let imported = text.split(separator: "\n").compactMap { line -> String? in
                let words = line.split(separator: " ")
                guard let index = words.firstIndex(of: "import"), index + 1 < words.count else { return nil }
                return words[..<index].allSatisfy({ $0.hasPrefix("@") || $0 == "public" || $0 == "internal" })
                    ? String(words[index + 1]) : nil
            }
            return (file, Set(imported))
        }
    }

    /// The server talks to the protocol layer; only the files that assemble the runtime open the
    /// store.
    @Test func noServerFileButTheRuntimesAssemblyImportsTheStore() throws {
        let files = try Self.imports(of: "TesseraServer")
        #expect(files.count > 20)
        let importing = Set(files.filter { $0.imports.contains("TesseraStore") }.map(\.file))
        #expect(importing == ["TesseraRuntime.swift", "TesseraConfiguration.swift"])
    }

    /// The protocol knows no HTTP framework; JOSE and the store know neither each other nor the
    /// layers above; the core imports nothing of Tessera's.
    @Test(arguments: [
        ("TesseraOAuth", ["Hummingbird", "HTTPTypes", "TesseraServer"]),
        ("TesseraJOSE", ["TesseraStore", "TesseraOAuth", "TesseraServer", "Hummingbird"]),
        ("TesseraStore", ["TesseraJOSE", "TesseraOAuth", "TesseraServer", "Hummingbird"]),
        ("TesseraCore", ["TesseraJOSE", "TesseraStore", "TesseraOAuth", "TesseraServer", "Hummingbird"]),
    ])
    func modulesImportOnlyTheLayersBelowThem(module: String, forbidden: [String]) throws {
        for (file, imports) in try Self.imports(of: module) {
            #expect(imports.isDisjoint(with: forbidden), "\(module)/\(file) imports \(imports.intersection(forbidden))")
        }
    }
}
