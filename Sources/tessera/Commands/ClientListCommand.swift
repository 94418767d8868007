import ArgumentParser
import Foundation
import TesseraCore
import TesseraOAuth
import TesseraServer

extension ClientCommand {
    /// `tessera client list`: every client of a tenant with where it came from, so the ones
    /// that registered themselves (RFC 7591) are easy to find, verify or block.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a tenant's clients with their origin (admin, registration, metadata_document).")
        @OptionGroup var options: GlobalOptions
        @Option(help: "The tenant's slug.") var tenant: String
        @Option(help: "Only clients of this origin.") var origin: String?
        @Flag(help: "Print one JSON document.") var json = false

        func run() async throws {
            if let origin, ClientOrigin(rawValue: origin) == nil {
                throw TesseraCore.ValidationError(
                    field: "origin", "use one of \(ClientOrigin.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            try await withRuntime(options) { runtime in
                let record = try await runtime.administration.tenant(tenant)
                var clients: [Client] = []
                var cursor: String?
                while true {
                    let page = try await runtime.administration.clients(in: record, after: cursor, limit: 500)
                    clients += page
                    guard page.count == 500 else { break }
                    cursor = page.last?.id
                }
                let views = clients.filter { origin == nil || $0.origin.rawValue == origin }
                    .map { ClientRepresentation($0, tenant: record.slug) }
                if json {
                    CommandOutput.json(views)
                } else {
                    CommandOutput.table(
                        ["CLIENT ID", "NAME", "ORIGIN", "VERIFIED", "STATUS"],
                        views.map { [$0.clientID, $0.name, $0.origin, $0.verified ? "yes" : "no", $0.status] })
                }
            }
        }
    }
}
