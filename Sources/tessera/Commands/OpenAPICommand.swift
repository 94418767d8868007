import ArgumentParser
import Foundation
import TesseraServer

/// Prints the admin API's OpenAPI document, the same bytes `GET /openapi.json` serves.
struct OpenAPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi", abstract: "Print the OpenAPI 3.1 document of the admin API (docs/openapi.json).")

    func run() async throws {
        FileHandle.standardOutput.write(AdminAPIDescription.openAPIJSON)
    }
}
