import ArgumentParser
import Foundation
import TesseraCore
import TesseraServer

/// INTERFACE.md `tessera user role add|remove`: what a person may administer at their tenant
/// (docs/admin-roles.md). The admin API's `PATCH /users/{id}` with `roles` does the same.
extension UserCommand {
    struct Role: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "role", abstract: "Grant or withdraw a user's admin roles.",
            subcommands: [Add.self, Remove.self])
    }

    struct RoleOptions: ParsableArguments {
        @OptionGroup var options: GlobalOptions
        @Option(help: "The tenant's slug.") var tenant: String
        @Option(help: "The username (case-insensitive).") var username: String
        @Option(help: "admin, admin:clients, admin:users, admin:scopes, admin:keys, admin:audit or admin:settings.")
        var role: String
        @Flag(help: "Print one JSON document.") var json = false

        func change(granted: Bool) async throws {
            try await withRuntime(options) { runtime in
                let role = try AdminRole.parse(self.role)
                let tenant = try await runtime.administration.tenant(self.tenant)
                let user = try await runtime.administration.user(in: tenant, username: username)
                let changed = try await runtime.administration.changeRole(
                    role, granted: granted, of: user, in: tenant, actor: "cli")
                let view = UserRepresentation(changed, tenant: tenant.slug)
                if json {
                    CommandOutput.json(view)
                } else {
                    print("\(view.username): \(view.roles.isEmpty ? "no roles" : view.roles.joined(separator: " "))")
                }
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Grant a role.")
        @OptionGroup var role: RoleOptions
        func run() async throws { try await role.change(granted: true) }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Withdraw a role.")
        @OptionGroup var role: RoleOptions
        func run() async throws { try await role.change(granted: false) }
    }
}
