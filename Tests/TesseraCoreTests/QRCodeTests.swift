import Foundation
import TesseraCore
import Testing

/// The QR encoder against an independent one: Python's `qrcode` package, asked for the same
/// version, level M and mask, must draw the same modules, for every version this encoder makes.
@Suite("QR code")
struct QRCodeTests {
    /// `qrcode`'s matrix for `text`, or nil when the package is not installed.
    static func reference(_ text: String, version: Int, mask: Int) throws -> [[Bool]]? {
        let script = """
            import json, sys
            import qrcode
            qr = qrcode.QRCode(version=\(version), error_correction=qrcode.constants.ERROR_CORRECT_M, mask_pattern=\(mask), border=0)
            qr.add_data(sys.stdin.read().encode(), optimize=0)
            qr.make(fit=False)
            print(json.dumps(qr.get_matrix()))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = Pipe()
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return try JSONSerialization.jsonObject(with: data) as? [[Bool]]
    }

    static let samples: [String] = [
        "hello", "otpauth://totp/Acme%20Corp:alice?secret=MZXW6YTBOI&issuer=Acme%20Corp",
        "otpauth://totp/Acme%20Corp:alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Acme%20Corp&algorithm=SHA1&digits=6&period=30",
        String(repeating: "x", count: 150), String(repeating: "y", count: 200),
    ]

    @Test(arguments: samples)
    func everyMaskDrawsWhatAnIndependentEncoderDraws(_ text: String) throws {
        for mask in 0..<8 {
            let code = try #require(QRCode(text, mask: mask))
            guard let reference = try Self.reference(text, version: code.version, mask: mask) else {
                Issue.record("python3 with the qrcode package is needed (scripts/test installs it)")
                return
            }
            #expect(code.modules == reference, "version \(code.version), mask \(mask)")
        }
    }

    @Test func theSmallestVersionIsChosenAndTooLongIsNil() {
        #expect(QRCode("hello")?.version == 1)
        #expect(QRCode(String(repeating: "a", count: 14))?.version == 1)
        #expect(QRCode(String(repeating: "a", count: 15))?.version == 2)
        #expect(QRCode(String(repeating: "a", count: 213))?.version == 10)
        #expect(QRCode(String(repeating: "a", count: 214)) == nil)
    }
}
