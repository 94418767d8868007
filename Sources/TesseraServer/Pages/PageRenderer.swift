import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import TesseraCore

/// Draws the HTML pages with the headers every one of them needs: no caching (they carry CSRF
/// tokens and sealed state), a Content-Security-Policy that allows nothing but our own inline
/// stylesheet and passkey script, and no framing (clickjacking of the consent button).
struct PageRenderer: Sendable {
    let library: MustacheLibrary
    let contentSecurityPolicy: String

    init() {
        var library = MustacheLibrary()
        let templates = [
            ("head", PageTemplates.head), ("foot", PageTemplates.foot), ("login", PageTemplates.login),
            ("consent", PageTemplates.consent), ("account", PageTemplates.account), ("message", PageTemplates.message),
            ("device", PageTemplates.device), ("secondFactor", PageTemplates.secondFactor),
            ("signOut", PageTemplates.signOut), ("totpSetup", PageTemplates.totpSetup),
            ("recoveryCodes", PageTemplates.recoveryCodes),
        ]
        for (name, text) in templates {
            // The templates are constants compiled in; a syntax error in them is caught by the
            // page tests, and here it simply leaves that page empty rather than crash a server.
            try? library.register(text, named: name)
        }
        self.library = library
        let styleHash = Data(SHA256.hash(data: Array(PageTemplates.stylesheet.utf8))).base64EncodedString()
        let scriptHash = Data(SHA256.hash(data: Array(PasskeyScript.source.utf8))).base64EncodedString()
        // No form-action: Chrome applies it to the redirect after a form post, and ours go to clients.
        contentSecurityPolicy =
            "default-src 'none'; style-src 'sha256-\(styleHash)'; script-src 'sha256-\(scriptHash)'; "
            + "frame-ancestors 'none'; base-uri 'none'"
    }

    enum Page: String {
        case login, consent, account, message, device, secondFactor, signOut, totpSetup, recoveryCodes
    }

    func render(_ page: Page, _ values: [String: Any], tenant: Tenant, status: HTTPResponse.Status = .ok) -> Response {
        var context = values
        context["tenantName"] = tenant.name
        context["stylesheet"] = PageTemplates.stylesheet
        context["passkeyScript"] = PasskeyScript.source
        let html = library.render(context, withTemplate: page.rawValue) ?? ""
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
            .contentSecurityPolicy: contentSecurityPolicy,
        ]
        headers[.pragma] = "no-cache"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    func message(_ title: String, _ message: String, tenant: Tenant, status: HTTPResponse.Status) -> Response {
        render(.message, ["title": title, "message": message], tenant: tenant, status: status)
    }
}
