import ArgumentParser
import Foundation
import TesseraCore
import TesseraOAuth
import TesseraServer

/// `tessera registration …`: dynamic client registration of a tenant
/// (docs/dynamic-client-registration.md), the same operations as the admin API's
/// `registration-tokens`, `registration-policy` and `clients/{id}/verification`.
struct RegistrationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registration", abstract: "Dynamic client registration (RFC 7591) of a tenant.",
        subcommands: [Token.self, Policy.self, Verify.self])

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Initial access tokens for registration.", subcommands: [Create.self, List.self, Revoke.self])

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Issue an initial access token; it is printed once and stored only hashed.")
            @OptionGroup var options: GlobalOptions
            @Option(help: "The tenant's slug.") var tenant: String
            @Option(help: "How many registrations it allows (default: any number until it expires).") var uses: Int?
            @Option(help: "Seconds it lives (default 86400).") var ttl = 86_400
            @Flag(help: "Print one JSON document.") var json = false

            func run() async throws {
                try await withRuntime(options) { runtime in
                    let tenant = try await runtime.administration.tenant(tenant)
                    let (token, value) = try await runtime.administration.createRegistrationToken(
                        in: tenant, uses: uses, lifetime: ttl, actor: "cli")
                    // INTERFACE.md: `{"token": …}`, the same document with or without --json.
                    CommandOutput.json(RegistrationTokenRepresentation(token, value: value))
                }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List a tenant's initial access tokens.")
            @OptionGroup var options: GlobalOptions
            @Option(help: "The tenant's slug.") var tenant: String
            @Flag(help: "Print one JSON document.") var json = false

            func run() async throws {
                try await withRuntime(options) { runtime in
                    let tokens = try await runtime.administration.registrationTokens(
                        in: try await runtime.administration.tenant(tenant))
                    let views = tokens.map { RegistrationTokenRepresentation($0) }
                    if json {
                        CommandOutput.json(views)
                    } else {
                        CommandOutput.table(
                            ["ID", "USES LEFT", "EXPIRES", "CREATED BY"],
                            views.map {
                                [
                                    $0.id, $0.usesLeft.map(String.init) ?? "any",
                                    ISO8601DateFormatter().string(from: $0.expiresAt), $0.createdBy,
                                ]
                            })
                    }
                }
            }
        }

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke an initial access token.")
            @OptionGroup var options: GlobalOptions
            @Option(help: "The tenant's slug.") var tenant: String
            @Argument(help: "The token's id (from `list`).") var id: String

            func run() async throws {
                try await withRuntime(options) { runtime in
                    guard let uuid = UUID(uuidString: id) else {
                        throw AdministrationError.unknownRegistrationToken(id)
                    }
                    try await runtime.administration.revokeRegistrationToken(
                        in: try await runtime.administration.tenant(tenant), id: uuid, actor: "cli")
                    print("Revoked initial access token \(id.lowercased())")
                }
            }
        }
    }

    struct Policy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or replace what registered clients may have.", subcommands: [Show.self, Replace.self])

        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Show the tenant's registration policy.")
            @OptionGroup var options: GlobalOptions
            @Option(help: "The tenant's slug.") var tenant: String

            func run() async throws {
                try await withRuntime(options) { runtime in
                    CommandOutput.json(
                        try await runtime.administration.registrationPolicy(
                            of: try await runtime.administration.tenant(tenant)))
                }
            }
        }

        struct Replace: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "set",
                abstract: "Replace the tenant's registration policy (what is not given goes back to its default).")
            @OptionGroup var options: GlobalOptions
            @Option(help: "The tenant's slug.") var tenant: String
            @Option(
                help:
                    "A grant type registered clients may have (repeatable; default authorization_code, refresh_token).")
            var grant: [String] = []
            @Option(help: "A scope registered clients may be given (repeatable; default openid).") var scope: [String] =
                []
            @Option(help: "A JWKS file of the publishers whose software statements are trusted.")
            var softwareStatementJwksFile: String?
            @Flag(help: "Register only clients with a trusted software statement.") var requireSoftwareStatement = false

            func run() async throws {
                try await withRuntime(options) { runtime in
                    let tenant = try await runtime.administration.tenant(tenant)
                    var policy = RegistrationPolicy.defaults
                    if !grant.isEmpty {
                        policy.grantTypes = try grant.map { name throws(TesseraCore.ValidationError) in
                            try GrantType(validating: name)
                        }
                    }
                    if !scope.isEmpty { policy.scopes = scope }
                    if let softwareStatementJwksFile {
                        policy.softwareStatementJWKS = try String(
                            contentsOfFile: softwareStatementJwksFile, encoding: .utf8)
                    }
                    policy.requireSoftwareStatement = requireSoftwareStatement
                    CommandOutput.json(
                        try await runtime.administration.setRegistrationPolicy(
                            of: tenant, policy, expectedVersion: nil, actor: "cli"))
                }
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Vouch for a client that registered itself, or (--revoke) take that back.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "The tenant's slug.") var tenant: String
        @Argument(help: "The client's id.") var clientID: String
        @Flag(help: "Mark it unverified again.") var revoke = false

        func run() async throws {
            try await withRuntime(options) { runtime in
                let client = try await runtime.administration.verifyClient(
                    in: try await runtime.administration.tenant(tenant), id: clientID, verified: !revoke, actor: "cli")
                print("Client \(client.id) is \(client.verified ? "verified" : "not verified")")
            }
        }
    }
}
