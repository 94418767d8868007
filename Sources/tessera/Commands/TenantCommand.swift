import ArgumentParser
import TesseraServer

struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant", abstract: "Create, list and configure tenants.",
        subcommands: [Create.self, List.self, Settings.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a tenant with its first signing keys.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The tenant's slug: [a-z0-9][a-z0-9-]{0,62}; its issuer is {public-url}/t/SLUG.")
        var slug: String
        @Option(help: "Display name (default: the slug).") var name: String?
        @Flag(help: "Print one JSON document.") var json = false

        func run() async throws {
            try await withRuntime(options) { runtime in
                let tenant = try await runtime.administration.createTenant(slug: slug, name: name, actor: "cli")
                let view = TenantRepresentation(tenant, publicURL: runtime.configuration.publicURL)
                if json {
                    CommandOutput.json(view)
                } else {
                    print("Created tenant \(view.slug) with issuer \(view.issuer)")
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tenants.")
        @OptionGroup var options: GlobalOptions
        @Flag(help: "Print one JSON document.") var json = false

        func run() async throws {
            try await withRuntime(options) { runtime in
                let views = try await runtime.administration.allTenants().map {
                    TenantRepresentation($0, publicURL: runtime.configuration.publicURL)
                }
                if json {
                    CommandOutput.json(views)
                } else {
                    CommandOutput.table(
                        ["SLUG", "NAME", "STATUS", "ISSUER"], views.map { [$0.slug, $0.name, $0.status, $0.issuer] })
                }
            }
        }
    }

    struct Settings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or change a tenant's settings; every instance applies a change within a second.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The tenant's slug.") var slug: String
        @Option(name: .customLong("set"), help: "KEY=VALUE, e.g. access_token_ttl=10m (repeatable).")
        var assignments: [String] = []
        @Flag(help: "Print one JSON document.") var json = false

        func run() async throws {
            try await withRuntime(options) { runtime in
                let tenant = try await runtime.administration.updateSettings(
                    of: try await runtime.administration.tenant(slug), try SettingAssignment.parse(assignments),
                    actor: "cli")
                if json {
                    CommandOutput.json(tenant.settings)
                } else {
                    let view = TenantRepresentation(tenant, publicURL: runtime.configuration.publicURL)
                    let mirror = try settingsDictionary(view.settings)
                    CommandOutput.table(
                        ["SETTING", "VALUE"], mirror.sorted { $0.key < $1.key }.map { [$0.key, $0.value] })
                }
            }
        }
    }
}
