import Foundation
import Logging
import TesseraJOSE
import TesseraServer
import Testing

/// The variables issue 15 added: the purge's interval and the change feed's history
/// (docs/bounded-storage.md), and the accepted master keys (docs/master-key-change.md). Defaults
/// hold when unset; a malformed value stops the start with a clear error.
@Suite("Purge and master key set configuration")
struct BoundedStorageConfigurationTests {
    let logger = Logger(label: "test")

    @Test func thePurgeRunsEveryMinuteAndTheFeedKeepsAnHourByDefault() throws {
        let configuration = try TesseraConfiguration.resolve(.init(), environment: [:])
        #expect(configuration.purgeInterval == .seconds(60))
        #expect(configuration.changeHistory == .seconds(3_600))
        let set = try TesseraConfiguration.resolve(
            .init(), environment: ["TESSERA_PURGE_INTERVAL": "5", "TESSERA_CHANGE_HISTORY": "120"])
        #expect(set.purgeInterval == .seconds(5))
        #expect(set.changeHistory == .seconds(120))
    }

    @Test(arguments: ["0", "-5", "ten", "86401"])
    func aMalformedIntervalStopsTheStart(_ value: String) {
        for variable in ["TESSERA_PURGE_INTERVAL", "TESSERA_CHANGE_HISTORY"] {
            #expect(throws: ConfigurationError.self, "\(variable)=\(value)") {
                try TesseraConfiguration.resolve(.init(), environment: [variable: value])
            }
        }
    }

    @Test func acceptedMasterKeysOpenBesideTheSealingOne() throws {
        let sealing = MasterKey.generate()
        let accepted = [MasterKey.generate(), MasterKey.generate()]
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("accepted-\(UUID().uuidString)")
        try (accepted[1].base64URL + "\n\n").write(to: file, atomically: true, encoding: .utf8)
        let configuration = try TesseraConfiguration.resolve(
            .init(),
            environment: [
                "TESSERA_MASTER_KEY": sealing.base64URL, "TESSERA_ACCEPTED_MASTER_KEYS": " \(accepted[0].base64URL) ,",
                "TESSERA_ACCEPTED_MASTER_KEYS_FILE": file.path,
            ])
        let key = try configuration.loadMasterKey(logger: logger)
        #expect(key.acceptedCount == 2)
        #expect(key.sealingOnly.base64URL == sealing.base64URL)
        #expect(
            try TesseraConfiguration.resolve(.init(), environment: ["TESSERA_MASTER_KEY": sealing.base64URL])
                .loadMasterKey(logger: logger).acceptedCount == 0)
    }

    @Test func aMalformedAcceptedKeyIsNamedByPlaceNeverShown() throws {
        let configuration = try TesseraConfiguration.resolve(
            .init(),
            environment: [
                "TESSERA_MASTER_KEY": MasterKey.generate().base64URL,
                "TESSERA_ACCEPTED_MASTER_KEYS": "\(MasterKey.generate().base64URL),not-a-key",
            ])
        do {
            _ = try configuration.loadMasterKey(logger: logger)
            Issue.record("a malformed accepted key was taken")
        } catch let error as ConfigurationError {
            #expect(error.description.contains("accepted master key 2"), "\(error)")
            #expect(!error.description.contains("not-a-key"))
        }
    }

    @Test func anUnreadableAcceptedKeysFileStopsTheStart() throws {
        let configuration = try TesseraConfiguration.resolve(
            .init(),
            environment: [
                "TESSERA_MASTER_KEY": MasterKey.generate().base64URL,
                "TESSERA_ACCEPTED_MASTER_KEYS_FILE": "/nonexistent/accepted.keys",
            ])
        #expect {
            try configuration.loadMasterKey(logger: logger)
        } throws: { error in
            "\(error)".contains("TESSERA_ACCEPTED_MASTER_KEYS_FILE")
        }
    }
}
