import Foundation
import TesseraTestSupport

/// A throwaway PKI made with the `openssl` command, as an operator would make one: a test CA, a
/// server certificate for 127.0.0.1 and localhost (what the proxy presents), and client
/// certificates, issued by the CA or self-signed, for the devices of a test.
struct TestPKI {
    let directory: URL
    let caCertificate: URL
    let caKey: URL
    let serverCertificate: URL
    let serverKey: URL

    /// A client's certificate and private key as PEM files, and the certificate's DER bytes.
    struct Credential {
        let certificate: URL
        let key: URL
        let der: [UInt8]

        /// RFC 9440 §2.2: what a proxy puts in `Client-Cert` for this certificate.
        var clientCertHeaderValue: String { ":\(Data(der).base64EncodedString()):" }
    }

    enum KeyType {
        case p256, ed25519

        var newKeyArguments: [String] {
            switch self {
            case .p256: ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
            case .ed25519: ["-newkey", "ed25519"]
            }
        }
    }

    static var openssl: String {
        ProcessInfo.processInfo.environment["TESSERA_TEST_OPENSSL"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "/usr/bin/openssl"
    }

    /// A CA (`CN=<caName>`) and the proxy's server certificate, in `directory`.
    static func make(in directory: URL, caName: String = "Tessera Test CA") throws -> TestPKI {
        let pki = TestPKI(
            directory: directory, caCertificate: directory.appendingPathComponent("ca.pem"),
            caKey: directory.appendingPathComponent("ca.key"),
            serverCertificate: directory.appendingPathComponent("server.pem"),
            serverKey: directory.appendingPathComponent("server.key"))
        try pki.run(
            [
                "req", "-x509", "-nodes", "-days", "2", "-subj", "/CN=\(caName)", "-keyout", pki.caKey.path, "-out",
                pki.caCertificate.path, "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ] + KeyType.p256.newKeyArguments)
        _ = try pki.issue(
            name: "server", subject: "/CN=localhost",
            extensions:
                "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE")
        return pki
    }

    /// A client certificate issued by this CA: `subject` in OpenSSL's `/O=Acme/CN=device-1`
    /// form, `alternativeNames` as in `subjectAltName=` (`DNS:…,URI:…,IP:…,email:…`).
    func device(
        _ name: String, subject: String, alternativeNames: String? = nil, key: KeyType = .p256
    ) throws -> Credential {
        var extensions = "extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE"
        if let alternativeNames { extensions += "\nsubjectAltName=\(alternativeNames)" }
        return try issue(name: name, subject: subject, extensions: extensions, key: key)
    }

    /// A self-signed client certificate (RFC 8705 §2.2).
    func selfSignedDevice(_ name: String, subject: String, key: KeyType = .ed25519) throws -> Credential {
        let credential = paths(name)
        try run(
            [
                "req", "-x509", "-nodes", "-days", "2", "-subj", subject, "-keyout", credential.key.path, "-out",
                credential.certificate.path,
            ] + key.newKeyArguments)
        return try withDER(credential)
    }

    private func issue(name: String, subject: String, extensions: String, key: KeyType = .p256) throws -> Credential {
        let credential = paths(name)
        let request = directory.appendingPathComponent("\(name).csr")
        let extensionFile = directory.appendingPathComponent("\(name).ext")
        try Data(extensions.utf8).write(to: extensionFile)
        try run(
            ["req", "-new", "-nodes", "-subj", subject, "-keyout", credential.key.path, "-out", request.path]
                + key.newKeyArguments)
        try run([
            "x509", "-req", "-in", request.path, "-CA", caCertificate.path, "-CAkey", caKey.path, "-set_serial",
            "\(UInt32.random(in: 1...UInt32.max))", "-days", "2", "-extfile", extensionFile.path, "-out",
            credential.certificate.path,
        ])
        return try withDER(credential)
    }

    private func paths(_ name: String) -> (certificate: URL, key: URL) {
        (directory.appendingPathComponent("\(name).pem"), directory.appendingPathComponent("\(name).key"))
    }

    private func withDER(_ credential: (certificate: URL, key: URL)) throws -> Credential {
        let der = directory.appendingPathComponent(
            credential.certificate.deletingPathExtension().lastPathComponent + ".der")
        try run(["x509", "-in", credential.certificate.path, "-outform", "der", "-out", der.path])
        return Credential(
            certificate: credential.certificate, key: credential.key, der: Array(try Data(contentsOf: der)))
    }

    private func run(_ arguments: [String]) throws {
        let result = try ProcessRunner.run(Self.openssl, arguments, in: directory)
        guard result.status == 0 else {
            throw TestSetupError("openssl \(arguments.prefix(2).joined(separator: " ")) failed: \(result.stderr)")
        }
    }
}
