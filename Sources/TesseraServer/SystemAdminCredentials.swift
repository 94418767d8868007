import Foundation
import Logging
import TesseraOAuth

/// The first start on an empty database makes the `system` tenant's admin client; its secret
/// exists nowhere else, so it goes once to a file only the owner can read (INTERFACE.md). The
/// log names the file, never the secret.
enum SystemAdminCredentials {
    static func write(_ credentials: Administration.AdminCredentials, to path: String, issuer: String, logger: Logger) {
        let url = URL(fileURLWithPath: path)
        let document: [String: String] = [
            "client_id": credentials.client.id, "client_secret": credentials.secret, "issuer": issuer,
            "token_endpoint": issuer + AuthorizationServerMetadata.Path.token, "scope": "tessera:admin",
        ]
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(document)
            guard
                FileManager.default.createFile(
                    atPath: url.path, contents: data, attributes: [.posixPermissions: 0o600])
            else { throw CocoaError(.fileWriteNoPermission) }
            logger.notice(
                "Created the system tenant's admin client; its credentials are in a file readable only by you",
                metadata: ["path": "\(url.path)", "client_id": "\(credentials.client.id)"])
        } catch {
            logger.error(
                "Could not write the system admin credentials; make another admin client with `tessera client create --tenant system --name Admin --scope tessera:admin`",
                metadata: ["path": "\(url.path)", "error": "\(error)"])
        }
    }
}
