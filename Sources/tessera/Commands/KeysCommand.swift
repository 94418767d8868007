import ArgumentParser
import Foundation
import TesseraCore
import TesseraJOSE
import TesseraOAuth
import TesseraServer

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "List, rotate and revoke a tenant's signing keys; rewrap them all.",
        subcommands: [List.self, Rotate.self, Revoke.self, Rewrap.self, SigningBenchmarkCommand.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a tenant's keys, newest last.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "The tenant's slug.") var tenant: String
        @Flag(help: "Print one JSON document.") var json = false

        func run() async throws {
            try await withRuntime(options) { runtime in
                let tenant = try await runtime.administration.tenant(tenant)
                printKeys(try await runtime.keyManagement.keys(of: tenant), json: json)
            }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rotate now: the published next key signs, the current one verifies until its tokens expire.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "The tenant's slug.") var tenant: String
        @Option(help: "Algorithm of the new next key: ES256, EdDSA (Ed25519) or RS256 (default: the tenant's).")
        var alg: String?
        @Flag(help: "Print one JSON document.") var json = false

        func run() async throws {
            try await withRuntime(options) { runtime in
                let tenant = try await runtime.administration.tenant(tenant)
                let algorithm = try alg.map { text in
                    guard let parsed = SigningAlgorithm(name: text), parsed.isPublishable else {
                        throw TesseraCore.ValidationError(field: "alg", "'\(text)' is not one of ES256, EdDSA, RS256")
                    }
                    return parsed
                }
                printKeys(
                    try await runtime.keyManagement.rotate(tenant, algorithm: algorithm, actor: "cli"), json: json)
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a key at once: unpublished, and nothing it signed verifies any more.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "The tenant's slug.") var tenant: String
        // Unconditional: a kid is base64url and may begin with "-", which would otherwise read as a flag.
        @Option(parsing: .unconditional, help: "The key id.") var kid: String

        func run() async throws {
            try await withRuntime(options) { runtime in
                let tenant = try await runtime.administration.tenant(tenant)
                try await runtime.keyManagement.revoke(tenant, kid: kid, actor: "cli")
                print("Revoked key \(kid) of tenant \(tenant.slug)")
            }
        }
    }

    struct Rewrap: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Seal every stored secret again under the master key, while every instance serves.",
            discussion: """
                Without --new-master-key-file: everything that opens only with an accepted master key \
                (TESSERA_ACCEPTED_MASTER_KEYS) is sealed again under TESSERA_MASTER_KEY, tenant by tenant, \
                while instances serve (docs/master-key-change.md). With --new-master-key-file: every stored \
                secret is sealed again under that key instead, tenant by tenant (run it again if it was \
                interrupted); stop every instance first and restart them with the new key.
                """)
        @OptionGroup var options: GlobalOptions
        @Option(help: "File holding a new master key (base64url, 32 bytes): the offline form.")
        var newMasterKeyFile: String?
        @Flag(help: "Print one JSON document.") var json = false

        func run() async throws {
            try await withRuntime(options) { runtime in
                let report: RewrapReport
                if let newMasterKeyFile {
                    let newKey = try MasterKey(contentsOfFile: newMasterKeyFile)
                    report = try await runtime.keyManagement.rewrap(to: newKey, actor: "cli")
                } else {
                    report = try await runtime.keyManagement.rewrap(actor: "cli")
                }
                if json {
                    CommandOutput.json([
                        "signing_keys": report.signingKeys, "totp_secrets": report.totpSecrets,
                        "provider_secrets": report.providerSecrets, "tenants": report.tenants,
                    ])
                } else if report.total == 0 {
                    print("Nothing to re-seal: every stored secret opens with the master key.")
                } else {
                    print(
                        "Re-sealed \(report.signingKeys) signing keys, \(report.totpSecrets) TOTP secrets and \(report.providerSecrets) identity-provider secrets of \(report.tenants) tenants under the \(newMasterKeyFile == nil ? "master key" : "new master key; start Tessera with it from now on")."
                    )
                }
            }
        }
    }
}

func printKeys(_ keys: [SigningKeyRecord], json: Bool) {
    let views = keys.map(SigningKeyRepresentation.init)
    if json {
        CommandOutput.json(views)
    } else {
        CommandOutput.table(
            ["KID", "ALG", "STATE", "LINE", "CREATED"],
            views.map { [$0.kid, $0.alg, $0.state, $0.line, ISO8601DateFormatter().string(from: $0.createdAt)] })
    }
}
