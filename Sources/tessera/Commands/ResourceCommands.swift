import ArgumentParser
import Foundation
import TesseraCore
import TesseraOAuth
import TesseraServer

struct ScopeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scope", abstract: "Manage a tenant's scopes.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a scope clients may ask for.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "The tenant's slug.") var tenant: String
        @Argument(help: "The scope name, e.g. orders:read.") var name: String
        @Option(help: "What the consent page tells the user.") var description: String?
        @Flag(help: "Print one JSON document.") var json = false

        func run() async throws {
            try await withRuntime(options) { runtime in
                let scope = try await runtime.administration.createScope(
                    in: try await runtime.administration.tenant(tenant), name: name, description: description,
                    actor: "cli")
                let view = ScopeRepresentation(scope, tenant: try TenantSlug(tenant))
                if json {
                    CommandOutput.json(view)
                } else {
                    print("Created scope \(view.name) in tenant \(view.tenant)")
                }
            }
        }
    }
}

struct ClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client", abstract: "Manage a tenant's clients.",
        subcommands: [Create.self, Update.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a client. A confidential client's secret is printed once and never again.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "The tenant's slug.") var tenant: String
        @Option(help: "Display name shown on the consent page.") var name: String
        @Flag(help: "A public client (native, browser or device app) without a secret.") var `public` = false
        @Option(
            help:
                "client_secret_basic (default), client_secret_post, private_key_jwt, tls_client_auth, self_signed_tls_client_auth or none."
        )
        var authMethod: String?
        @Option(help: "For private_key_jwt, self_signed_tls_client_auth and request objects: the public JWKS file.")
        var jwksFile: String?
        @Option(help: "A grant_type the client may use (repeatable).") var grant: [String] = []
        @Option(help: "A scope the client may ask for (repeatable).") var scope: [String] = []
        @Option(help: "A redirect URI (repeatable).") var redirectURI: [String] = []
        @Option(help: "Where users may go after signing out (OIDC RP-Initiated Logout; repeatable).")
        var postLogoutRedirectURI: [String] = []
        @Option(help: "An audience its tokens may name (repeatable; the first is the default).")
        var audience: [String] = []
        @Option(help: "Access token lifetime in seconds for this client.") var accessTokenTTL: Int?
        @Flag(help: "Access tokens only with a DPoP proof (RFC 9449 dpop_bound_access_tokens).")
        var dpopBound = false
        @Flag(help: "Access tokens bound to the client's TLS certificate (RFC 8705).")
        var certificateBound = false
        @Flag(help: "Authorization requests only through the PAR endpoint (RFC 9126).") var requirePar = false
        @Flag(help: "Authorization requests only as signed request objects (RFC 9101).")
        var requireSignedRequest = false
        @Option(help: "rotate or reuse: whether a refresh returns a new refresh token (default: by client kind).")
        var refreshRotation: RefreshTokenRotation?
        @Option(help: "For tls_client_auth: the certificate's subject DN (RFC 4514), e.g. 'CN=device-1,O=Acme'.")
        var tlsSubject: String?
        @Option(help: "For tls_client_auth: a dNSName subject alternative name instead of the DN.")
        var tlsSanDns: String?
        @Option(help: "The acr every sign-in for this client must meet, e.g. urn:tessera:acr:2fa.")
        var requireAcr: AuthenticationContext?
        @Option(help: "Where logout tokens go when a session that reached the client ends (OIDC Back-Channel Logout).")
        var backchannelLogoutUri: String?
        @Flag(help: "The client needs sid in its logout and ID tokens (Tessera always sends it).")
        var backchannelLogoutSessionRequired = false
        @Option(
            help: "RS256, ES256 or EdDSA (Ed25519): how its ID tokens are signed (default: the tenant's key_algorithm)."
        )
        var idTokenAlg: String?
        @Flag(help: "Print one JSON document.") var json = false

        func run() async throws {
            try await withRuntime(options) { runtime in
                var method: ClientAuthMethod?
                if let authMethod {
                    guard let parsed = ClientAuthMethod(rawValue: authMethod) else {
                        throw TesseraCore.ValidationError(
                            field: "auth-method",
                            "unknown method '\(authMethod)'; use \(ClientAuthMethod.allCases.map(\.rawValue).joined(separator: ", "))"
                        )
                    }
                    method = parsed
                }
                let jwks = try jwksFile.map { path in
                    do { return try String(contentsOfFile: path, encoding: .utf8) } catch {
                        throw TesseraCore.ValidationError(field: "jwks-file", "cannot read \(path)")
                    }
                }
                var registration = Administration.ClientRegistration(
                    name: name, isPublic: `public`, authMethod: method, jwks: jwks, grants: grant, scopes: scope,
                    redirectURIs: redirectURI, audiences: audience, accessTokenTTL: accessTokenTTL,
                    requirements: ClientRequirements(
                        dpopBoundAccessTokens: dpopBound, certificateBoundAccessTokens: certificateBound,
                        pushedAuthorizationRequests: requirePar, signedRequestObject: requireSignedRequest,
                        refreshTokenRotation: refreshRotation,
                        certificateSubject: try certificateSubject()))
                registration.postLogoutRedirectURIs = postLogoutRedirectURI
                registration.requirements.requiredContext = requireAcr
                registration.backchannelLogoutURI = backchannelLogoutUri
                registration.backchannelLogoutSessionRequired = backchannelLogoutSessionRequired ? true : nil
                registration.idTokenSigningAlgorithm = idTokenAlg
                let created = try await runtime.administration.createClient(
                    in: try await runtime.administration.tenant(tenant), registration, actor: "cli")
                let view = ClientRepresentation(created.client, tenant: try TenantSlug(tenant), secret: created.secret)
                if json {
                    CommandOutput.json(view)
                } else {
                    print("client_id:     \(view.clientID)")
                    if let secret = view.clientSecret {
                        print("client_secret: \(secret)    (shown once; store it now)")
                    }
                    print("grants:        \(view.grantTypes.joined(separator: " "))")
                    print("scope:         \(view.scope)")
                }
            }
        }
    }
}

extension ClientCommand {
    /// Changes what the admin API's PATCH changes; here the name, the back-channel logout
    /// registration and the ID tokens' algorithm.
    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a client's registration.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "The tenant's slug.") var tenant: String
        /// Client ids are base64url and may start with `-`: taken as they come, not as options.
        @Argument(parsing: .allUnrecognized, help: "The client_id.") var clientID: [String] = []
        @Option(help: "Display name shown on the consent page.") var name: String?
        @Option(help: "Where logout tokens go (OIDC Back-Channel Logout); an empty value removes it.")
        var backchannelLogoutUri: String?
        @Option(help: "true or false: the client needs sid in its logout and ID tokens.")
        var backchannelLogoutSessionRequired: Bool?
        @Option(help: "RS256, ES256 or EdDSA (Ed25519): how its ID tokens are signed from now on.")
        var idTokenAlg: String?
        @Flag(help: "Print one JSON document.") var json = false

        func run() async throws {
            guard clientID.count == 1, let id = clientID.first else {
                throw TesseraCore.ValidationError(field: "client-id", "name exactly one client_id")
            }
            try await withRuntime(options) { runtime in
                var changes = Administration.ClientChanges(name: name)
                changes.backchannelLogoutURI = backchannelLogoutUri
                changes.backchannelLogoutSessionRequired = backchannelLogoutSessionRequired
                changes.idTokenSigningAlgorithm = idTokenAlg
                let client = try await runtime.administration.updateClient(
                    in: try await runtime.administration.tenant(tenant), id: id, changes, expectedVersion: nil,
                    actor: "cli")
                let view = ClientRepresentation(client, tenant: try TenantSlug(tenant))
                if json {
                    CommandOutput.json(view)
                } else {
                    print("Updated client \(view.clientID) (version \(view.version))")
                }
            }
        }
    }
}

extension ClientCommand.Create {
    func certificateSubject() throws(TesseraCore.ValidationError) -> CertificateSubject? {
        switch (tlsSubject, tlsSanDns) {
        case (nil, nil): return nil
        case (let dn?, nil): return CertificateSubject(name: "tls_client_auth_subject_dn", value: dn)
        case (nil, let name?): return CertificateSubject(name: "tls_client_auth_san_dns", value: name)
        default:
            throw TesseraCore.ValidationError(field: "tls-subject", "give --tls-subject or --tls-san-dns, not both")
        }
    }
}

extension RefreshTokenRotation: ExpressibleByArgument {}
extension AuthenticationContext: ExpressibleByArgument {}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage a tenant's users.", subcommands: [Create.self, MFA.self, Role.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user; the password is read from standard input, never from a flag.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "The tenant's slug.") var tenant: String
        @Option(help: "The username (case-insensitive).") var username: String
        @Flag(help: "Read the password from standard input (required).") var passwordStdin = false
        @Flag(help: "Print one JSON document.") var json = false

        func run() async throws {
            try await withRuntime(options) { runtime in
                guard passwordStdin else {
                    throw TesseraCore.ValidationError(
                        field: "password-stdin",
                        "pass --password-stdin and pipe the password in, so it stays out of shell history")
                }
                var password = readLine(strippingNewline: true) ?? ""
                if password.hasSuffix("\r") { password.removeLast() }
                let user = try await runtime.administration.createUser(
                    in: try await runtime.administration.tenant(tenant), username: username, password: password,
                    actor: "cli")
                let view = UserRepresentation(user, tenant: try TenantSlug(tenant))
                if json { CommandOutput.json(view) } else { print("Created user \(view.username) (\(view.id))") }
            }
        }
    }
}

func settingsDictionary(_ settings: TenantSettings) throws -> [String: String] {
    Dictionary(uniqueKeysWithValues: TenantSetting.all.map { ($0.name, settings[$0].description) })
}

extension UserCommand {
    struct MFA: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mfa", abstract: "Second factors of a user.", subcommands: [TOTPEnrolment.self])
    }

    /// INTERFACE.md: help-desk enrolment. The factor is active at once; the URI (shown once,
    /// only the sealed secret is kept) goes to the user, who adds it to an authenticator app.
    struct TOTPEnrolment: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "totp",
            abstract: "Enrol a TOTP factor (RFC 6238) for a user; prints the otpauth:// URI once.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "The tenant's slug.") var tenant: String
        @Option(help: "The username (case-insensitive).") var username: String
        @Flag(help: "Print one JSON document.") var json = false

        func run() async throws {
            try await withRuntime(options) { runtime in
                let tenant = try await runtime.administration.tenant(self.tenant)
                let user = try await runtime.administration.user(in: tenant, username: username)
                let enrolment = try await runtime.secondFactors.enrolTOTP(
                    for: user, in: tenant, issuerName: tenant.name, confirmed: true)
                if json {
                    CommandOutput.json(TOTPEnrolmentOutput(enrolment))
                } else {
                    print("otpauth_uri:    \(enrolment.uri)    (shown once; hand it to the user)")
                    print("recovery codes: \(enrolment.recoveryCodes.joined(separator: " "))    (each works once)")
                }
            }
        }
    }
}

/// `tessera user mfa totp --json`: INTERFACE.md's `otpauth_uri`, and the recovery codes.
struct TOTPEnrolmentOutput: Encodable {
    let otpauthURI: String
    let recoveryCodes: [String]

    init(_ enrolment: SecondFactors.Enrolment) {
        otpauthURI = enrolment.uri
        recoveryCodes = enrolment.recoveryCodes
    }

    enum CodingKeys: String, CodingKey {
        case otpauthURI = "otpauth_uri"
        case recoveryCodes = "recovery_codes"
    }
}
