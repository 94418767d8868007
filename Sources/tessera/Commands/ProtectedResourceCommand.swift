import ArgumentParser
import Foundation
import TesseraCore
import TesseraOAuth
import TesseraServer

/// `tessera resource …` (INTERFACE.md): the APIs and MCP servers a tenant's clients, those that
/// registered themselves too, may get tokens for with `resource=IDENTIFIER`.
struct ProtectedResourceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resource", abstract: "Manage the protected resources (APIs, MCP servers) of a tenant.",
        subcommands: [Create.self, List.self, Delete.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a protected resource by its RFC 8707 / RFC 9728 identifier.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "The tenant's slug.") var tenant: String
        @Option(help: "The resource identifier, an https URL (http only on loopback).") var identifier: String
        @Option(help: "A display name (default: the identifier).") var name: String?
        @Option(help: "A scope the resource accepts (repeatable; each one the tenant has).") var scope: [String] = []
        @Flag(help: "Print one JSON document.") var json = false

        func run() async throws {
            try await withRuntime(options) { runtime in
                let resource = try await runtime.administration.createResource(
                    in: try await runtime.administration.tenant(tenant), identifier: identifier, name: name,
                    scopes: scope, actor: "cli")
                if json {
                    CommandOutput.json(ResourceRepresentation(resource))
                } else {
                    print("Registered resource \(resource.identifier) (\(resource.scopes.joined(separator: " ")))")
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a tenant's protected resources.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "The tenant's slug.") var tenant: String
        @Flag(help: "Print one JSON document.") var json = false

        func run() async throws {
            try await withRuntime(options) { runtime in
                let resources = try await runtime.administration.tenant(tenant).resources.map(
                    ResourceRepresentation.init)
                if json {
                    CommandOutput.json(resources)
                } else {
                    CommandOutput.table(
                        ["IDENTIFIER", "NAME", "SCOPES"],
                        resources.map { [$0.identifier, $0.name, $0.scopes.joined(separator: " ")] })
                }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a protected resource.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "The tenant's slug.") var tenant: String
        @Option(help: "The resource identifier.") var identifier: String

        func run() async throws {
            try await withRuntime(options) { runtime in
                try await runtime.administration.deleteResource(
                    in: try await runtime.administration.tenant(tenant), identifier: identifier, actor: "cli")
                print("Removed resource \(identifier)")
            }
        }
    }
}
