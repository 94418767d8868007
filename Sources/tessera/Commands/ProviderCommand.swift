import ArgumentParser
import Foundation
import TesseraCore
import TesseraOAuth
import TesseraServer

/// `tessera provider …`: a tenant's upstream identity providers (docs/upstream-identity-providers.md),
/// the same operations as the admin API's `identity-providers`.
struct ProviderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provider", abstract: "Manage a tenant's upstream OpenID identity providers.",
        subcommands: [Create.self, List.self, Show.self, Update.self, Delete.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an upstream OpenID Provider. Register the printed redirect_uri (and jwks) there.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "The tenant's slug.") var tenant: String
        @Argument(help: "The provider's slug, e.g. corp.") var slug: String
        @Option(help: "Shown on the login page as \"Sign in with NAME\".") var name: String
        @Option(help: "The upstream's issuer URL (its metadata must name exactly this).") var issuer: String
        @Option(help: "Tessera's client id at the upstream.") var clientId: String
        @Option(help: "client_secret_basic (default), client_secret_post or private_key_jwt.") var authMethod: String?
        @Flag(help: "Read the client secret from standard input (for the secret methods).") var clientSecretStdin =
            false
        @Option(help: "A scope to ask for (repeatable; must include openid; default openid profile email).")
        var scope: [String] = []
        @Option(help: "The upstream claim that becomes the username (default preferred_username).")
        var usernameClaim: String?
        @Option(help: "The upstream claim kept as e-mail (default email).") var emailClaim: String?
        @Option(help: "The upstream claim kept as name (default name).") var nameClaim: String?
        @Flag(help: "Add it disabled (not offered on the login page).") var disabled = false
        @Flag(help: "Print one JSON document.") var json = false

        func run() async throws {
            try await withRuntime(options) { runtime in
                var method = IdentityProvider.ClientAuthentication.clientSecretBasic
                if let authMethod {
                    guard let parsed = IdentityProvider.ClientAuthentication(rawValue: authMethod) else {
                        throw ValidationError(
                            field: "auth-method", "use client_secret_basic, client_secret_post or private_key_jwt")
                    }
                    method = parsed
                }
                let secret = clientSecretStdin ? readLine(strippingNewline: true) : nil
                let standard = IdentityProvider.ClaimMapping.standard
                let tenantRecord = try await runtime.administration.tenant(tenant)
                let provider = try await runtime.administration.createIdentityProvider(
                    in: tenantRecord,
                    Administration.IdentityProviderInput(
                        slug: slug, name: name, issuer: issuer, clientID: clientId, authentication: method,
                        clientSecret: secret, scopes: scope.isEmpty ? ["openid", "profile", "email"] : scope,
                        claims: IdentityProvider.ClaimMapping(
                            username: usernameClaim ?? standard.username, email: emailClaim ?? standard.email,
                            name: nameClaim ?? standard.name),
                        enabled: !disabled),
                    actor: "cli")
                show(provider, tenant: tenantRecord, runtime: runtime, json: json, verb: "Added")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a tenant's identity providers.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "The tenant's slug.") var tenant: String
        @Flag(help: "Print one JSON document.") var json = false

        func run() async throws {
            try await withRuntime(options) { runtime in
                let tenantRecord = try await runtime.administration.tenant(tenant)
                let views = try await runtime.administration.identityProviders(in: tenantRecord).map {
                    representation($0, tenant: tenantRecord, runtime: runtime)
                }
                if json {
                    CommandOutput.json(views)
                } else {
                    CommandOutput.table(
                        ["SLUG", "NAME", "ISSUER", "AUTH", "ENABLED"],
                        views.map { [$0.slug, $0.name, $0.issuer, $0.authMethod, String($0.enabled)] })
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one identity provider.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "The tenant's slug.") var tenant: String
        @Argument(help: "The provider's slug.") var slug: String
        @Flag(help: "Print one JSON document.") var json = false

        func run() async throws {
            try await withRuntime(options) { runtime in
                let tenantRecord = try await runtime.administration.tenant(tenant)
                let provider = try await runtime.administration.identityProvider(in: tenantRecord, slug: slug)
                show(provider, tenant: tenantRecord, runtime: runtime, json: json, verb: "Provider")
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enable, disable or rename a provider, or set its secret.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "The tenant's slug.") var tenant: String
        @Argument(help: "The provider's slug.") var slug: String
        @Option(help: "A new display name.") var name: String?
        @Option(help: "true or false.") var enabled: Bool?
        @Flag(help: "Read a new client secret from standard input.") var clientSecretStdin = false
        @Flag(help: "Print one JSON document.") var json = false

        func run() async throws {
            try await withRuntime(options) { runtime in
                let tenantRecord = try await runtime.administration.tenant(tenant)
                let provider = try await runtime.administration.updateIdentityProvider(
                    in: tenantRecord, slug: slug,
                    Administration.IdentityProviderChanges(
                        name: name, clientSecret: clientSecretStdin ? readLine(strippingNewline: true) : nil,
                        enabled: enabled),
                    expectedVersion: nil, actor: "cli")
                show(provider, tenant: tenantRecord, runtime: runtime, json: json, verb: "Updated")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a provider (links to accounts stay).")
        @OptionGroup var options: GlobalOptions
        @Option(help: "The tenant's slug.") var tenant: String
        @Argument(help: "The provider's slug.") var slug: String

        func run() async throws {
            try await withRuntime(options) { runtime in
                try await runtime.administration.deleteIdentityProvider(
                    in: try await runtime.administration.tenant(tenant), slug: slug, actor: "cli")
                print("Removed identity provider \(slug) from tenant \(tenant)")
            }
        }
    }

    static func representation(
        _ provider: IdentityProvider, tenant: Tenant, runtime: TesseraRuntime
    ) -> IdentityProviderRepresentation {
        IdentityProviderRepresentation(
            provider, tenant: tenant.slug, issuer: runtime.configuration.publicURL.issuer(for: tenant.slug))
    }

    static func show(_ provider: IdentityProvider, tenant: Tenant, runtime: TesseraRuntime, json: Bool, verb: String) {
        let view = representation(provider, tenant: tenant, runtime: runtime)
        if json {
            CommandOutput.json(view)
            return
        }
        print("\(verb) identity provider \(view.slug) (\(view.name)) in tenant \(view.tenant)")
        print("issuer:        \(view.issuer)")
        print("client_id:     \(view.clientID) (\(view.authMethod))")
        print("redirect_uri:  \(view.redirectURI)  <- register this at the provider")
        if let jwks = view.jwks { print("jwks:          \(jwks)  <- register this at the provider") }
        print("enabled:       \(view.enabled)")
    }
}
