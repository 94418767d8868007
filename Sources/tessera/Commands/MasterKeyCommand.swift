import ArgumentParser
import TesseraJOSE

struct MasterKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "master-key", abstract: "Make master keys.", subcommands: [Generate.self])

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new random master key (32 bytes, base64url) for TESSERA_MASTER_KEY_FILE.")

        func run() async throws {
            print(MasterKey.generate().base64URL)
        }
    }
}
