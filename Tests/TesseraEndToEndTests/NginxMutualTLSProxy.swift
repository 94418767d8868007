import Foundation
import TesseraTestSupport

/// nginx as the TLS-terminating proxy of RFC 8705 deployments: it listens with TLS on a free
/// loopback port, asks the client for a certificate, and passes the request on to `upstream`
/// with the certificate in the RFC 9440 `Client-Cert` header, replacing whatever `Client-Cert`
/// (and `Client-Cert-Chain`) the client sent itself.
///
/// `ssl_verify_client optional_no_ca` with the test CA as `ssl_client_certificate`: nginx
/// verifies every chain against the CA, but a certificate that chains to no trusted CA does not
/// end the handshake, because `self_signed_tls_client_auth` (RFC 8705 §2.2) clients have exactly
/// such certificates. The njs function then forwards a certificate only when its chain verified
/// (`$ssl_client_verify` is `SUCCESS`) or when it is self-issued (subject DN = issuer DN), and
/// Tessera takes a self-issued certificate only for `self_signed_tls_client_auth`. A certificate
/// from an unknown CA is not forwarded at all. (`optional` would refuse self-signed certificates
/// in the handshake, leaving only `tls_client_auth`.) nginx has no variable in RFC 9440 form, so
/// the njs module (Debian: `libnginx-mod-http-js`) turns `$ssl_client_raw_cert`'s PEM into
/// `:base64-DER:` — PEM's body already is that base64, so the function only strips the armour.
///
/// Each proxy has its own prefix, configuration, pid file, logs and temporary paths in a temp
/// directory, which `stop()` removes.
final class NginxMutualTLSProxy: @unchecked Sendable {
    let process: Process
    let port: Int
    let directory: URL
    let pki: TestPKI

    var baseURL: String { "https://127.0.0.1:\(port)" }
    var errorLog: String {
        (try? String(contentsOf: directory.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
    }

    /// `TESSERA_TEST_NGINX`, or Debian's nginx.
    static var executable: String {
        ProcessInfo.processInfo.environment["TESSERA_TEST_NGINX"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "/usr/sbin/nginx"
    }

    /// `TESSERA_TEST_NGINX_JS_MODULE`, or where Debian's `libnginx-mod-http-js` puts the module.
    static var jsModule: String {
        ProcessInfo.processInfo.environment["TESSERA_TEST_NGINX_JS_MODULE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "/usr/lib/nginx/modules/ngx_http_js_module.so"
    }

    static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: executable) && FileManager.default.fileExists(atPath: jsModule)
            && FileManager.default.isExecutableFile(atPath: TestPKI.openssl)
            && FileManager.default.isExecutableFile(atPath: curl)
    }

    /// The njs function behind `$client_cert_rfc9440` (RFC 9440 §2.2 Byte Sequence of the DER).
    static let script = """
        // RFC 9440 Client-Cert for the certificate of this TLS connection, or '' for none (nginx
        // then sends no header). Forwarded only when the chain verified against
        // ssl_client_certificate, or when the certificate is self-issued (for RFC 8705
        // self_signed_tls_client_auth; Tessera refuses self-issued ones for tls_client_auth).
        function clientCert(r) {
            var v = r.variables;
            var pem = v.ssl_client_raw_cert;
            if (!pem) return '';
            var selfIssued = !!v.ssl_client_s_dn && v.ssl_client_s_dn === v.ssl_client_i_dn;
            if (v.ssl_client_verify !== 'SUCCESS' && !selfIssued) return '';
            var body = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\\s+/g, '');
            if (!/^[A-Za-z0-9+\\/]+={0,2}$/.test(body)) return '';
            return ':' + body + ':';
        }
        export default { clientCert };
        """

    /// The `server` block of the proxy: the part an operator copies (docs/mutual-tls.md).
    /// `bindingFrom`: the address nginx connects to the upstream from (`proxy_bind`), the one
    /// the upstream trusts (`TESSERA_TRUSTED_PROXIES`); nil leaves it to the system.
    static func serverBlock(port: Int, pki: TestPKI, upstream: String, bindingFrom: String? = nil) -> String {
        """
            server {
                listen 127.0.0.1:\(port) ssl;
                ssl_certificate \(pki.serverCertificate.path);
                ssl_certificate_key \(pki.serverKey.path);
                # Trust anchors of tls_client_auth (RFC 8705 section 2.1) are the proxy's.
                ssl_client_certificate \(pki.caCertificate.path);
                ssl_verify_client optional_no_ca;
                ssl_verify_depth 2;
                location / {
                    # Replaces any Client-Cert the client sent; an empty value sends none.
                    proxy_set_header Client-Cert $client_cert_rfc9440;
                    proxy_set_header Client-Cert-Chain "";
                    proxy_set_header Host $host;
                    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                    \(bindingFrom.map { "proxy_bind \($0);" } ?? "")
                    proxy_pass \(upstream);
                }
            }
        """
    }

    /// The top of every test nginx's configuration: one worker in the foreground, with its pid
    /// file and error log under `path` (nothing under /var).
    static func preamble(path: String, errorLogLevel: String, workerConnections: Int) -> String {
        """
        \(getuid() == 0 ? "user root;" : "")
        daemon off;
        master_process on;
        worker_processes 1;
        pid \(path)/nginx.pid;
        error_log \(path)/error.log \(errorLogLevel);
        events { worker_connections \(workerConnections); }
        """
    }

    /// The `http` block's temporary directories, under `path` too.
    static func temporaryPaths(path: String) -> String {
        """
        client_body_temp_path \(path)/temp/body;
        proxy_temp_path \(path)/temp/proxy;
        fastcgi_temp_path \(path)/temp/fastcgi;
        uwsgi_temp_path \(path)/temp/uwsgi;
        scgi_temp_path \(path)/temp/scgi;
        """
    }

    func configuration(port: Int, upstream: String, bindingFrom: String?) -> String {
        let path = directory.path
        return """
            load_module \(Self.jsModule);
            \(Self.preamble(path: path, errorLogLevel: "info", workerConnections: 64))
            http {
                access_log \(path)/access.log;
                \(Self.temporaryPaths(path: path))
                js_import mtls from \(path)/client_cert.js;
                js_set $client_cert_rfc9440 mtls.clientCert;
            \(Self.serverBlock(port: port, pki: pki, upstream: upstream, bindingFrom: bindingFrom))
            }
            """
    }

    private init(process: Process, port: Int, directory: URL, pki: TestPKI) {
        self.process = process
        self.port = port
        self.directory = directory
        self.pki = pki
    }

    /// Starts nginx in front of `upstream` (`http://127.0.0.1:PORT`) with a fresh PKI (or
    /// `pki`, so that two proxies trust the same devices), and returns once it listens (its pid
    /// file appears after the sockets are bound), within 15 s.
    static func start(
        upstream: String, bindingFrom: String? = nil, pki given: TestPKI? = nil
    ) async throws -> NginxMutualTLSProxy {
        let directory = try makeTemporaryDirectory()
        do {
            try FileManager.default.createDirectory(
                at: directory.appendingPathComponent("temp"), withIntermediateDirectories: true)
            try Data(script.utf8).write(to: directory.appendingPathComponent("client_cert.js"))
            let pki = try given ?? TestPKI.make(in: directory)
            var failure = ""
            // A port found free can be taken before nginx binds it: try another one then.
            for _ in 0..<3 {
                let proxy = try launch(
                    in: directory, pki: pki, port: try freeLoopbackPort(), upstream: upstream, bindingFrom: bindingFrom)
                if try await proxy.waitUntilListening() { return proxy }
                failure = proxy.errorLog
                await proxy.terminate()
                guard failure.contains("Address already in use") else { break }
            }
            throw TestSetupError("nginx did not start: \(failure)")
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// Runs `body` with a proxy in front of `upstream`, and stops it afterwards, also when
    /// `body` throws.
    static func with<T>(
        upstream: String, bindingFrom: String? = nil, pki: TestPKI? = nil,
        _ body: (NginxMutualTLSProxy) async throws -> T
    ) async throws -> T {
        let proxy = try await start(upstream: upstream, bindingFrom: bindingFrom, pki: pki)
        do {
            let result = try await body(proxy)
            await proxy.stop()
            return result
        } catch {
            await proxy.stop()
            throw error
        }
    }

    private static func launch(
        in directory: URL, pki: TestPKI, port: Int, upstream: String, bindingFrom: String?
    ) throws
        -> NginxMutualTLSProxy
    {
        let process = Process()
        let proxy = NginxMutualTLSProxy(process: process, port: port, directory: directory, pki: pki)
        let configuration = directory.appendingPathComponent("nginx.conf")
        try Data(proxy.configuration(port: port, upstream: upstream, bindingFrom: bindingFrom).utf8).write(
            to: configuration)
        try? FileManager.default.removeItem(at: directory.appendingPathComponent("nginx.pid"))
        process.executableURL = URL(fileURLWithPath: executable)
        // -e: the error log before the configuration is read (else nginx opens /var/log/nginx).
        process.arguments = [
            "-p", directory.path, "-e", directory.appendingPathComponent("error.log").path, "-c", configuration.path,
        ]
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        let stderr = directory.appendingPathComponent("nginx.stderr")
        _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: stderr.path)
        try process.run()
        return proxy
    }

    private func waitUntilListening() async throws -> Bool {
        let pidFile = directory.appendingPathComponent("nginx.pid").path
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if !process.isRunning { return false }
            if FileManager.default.fileExists(atPath: pidFile) { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// Graceful shutdown (SIGQUIT), SIGKILL after 5 s; then the directory is removed.
    func stop() async {
        await terminate()
        try? FileManager.default.removeItem(at: directory)
    }

    private func terminate() async {
        if process.isRunning { kill(process.processIdentifier, SIGQUIT) }
        for _ in 0..<100 where process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    /// An HTTPS request through the proxy with `curl`, presenting `credential` (or no
    /// certificate), trusting the test CA for the server. Bounded to 10 s.
    func get(
        _ path: String, presenting credential: TestPKI.Credential?, headers: [(String, String)] = []
    ) throws
        -> ProcessRunner.Result
    {
        var arguments = ["--silent", "--show-error", "--max-time", "10", "--cacert", pki.caCertificate.path]
        if let credential { arguments += ["--cert", credential.certificate.path, "--key", credential.key.path] }
        for (name, value) in headers { arguments += ["--header", "\(name): \(value)"] }
        return try ProcessRunner.run(Self.curl, arguments + ["\(baseURL)\(path)"])
    }

    static var curl: String {
        ProcessInfo.processInfo.environment["TESSERA_TEST_CURL"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/bin/curl"
    }
}
