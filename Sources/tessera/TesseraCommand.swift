import ArgumentParser

@main
struct TesseraCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tessera",
        abstract: "A multi-tenant OAuth 2 authorization server.",
        discussion: "Configuration comes from flags, then TESSERA_* environment variables, then defaults.",
        subcommands: [
            ServeCommand.self, MigrateCommand.self, TenantCommand.self, ScopeCommand.self, ClientCommand.self,
            UserCommand.self, KeysCommand.self, MasterKeyCommand.self, OpenAPICommand.self, ProviderCommand.self,
            RegistrationCommand.self, ProtectedResourceCommand.self,
        ]
    )
}
