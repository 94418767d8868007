import Foundation
import Testing

@testable import TesseraOAuth

/// RFC 7617 / RFC 6749 §2.3.1 Basic credentials, read byte by byte.
@Suite struct BasicCredentialsTests {
    func header(_ text: String) -> String { "Basic " + Data(text.utf8).base64EncodedString() }

    @Test(arguments: ["Basic", "basic", "BASIC", "bAsIc"])
    func schemeIsCaseInsensitive(scheme: String) throws {
        let credentials = try BasicCredentials(
            authorizationHeader: scheme + " " + Data("client:secret".utf8).base64EncodedString())
        #expect(credentials?.clientID == "client")
        #expect(credentials?.secret == "secret")
    }

    @Test func surroundingSpacesAndTabsAreIgnored() throws {
        let encoded = Data("a:b".utf8).base64EncodedString()
        let credentials = try BasicCredentials(authorizationHeader: " \tBasic  \t" + encoded + " \t")
        #expect(credentials?.clientID == "a")
        #expect(credentials?.secret == "b")
    }

    @Test func formEncodedIDAndSecretAreDecoded() throws {
        let credentials = try BasicCredentials(authorizationHeader: header("my%3Aclient:p%25ss+word"))
        #expect(credentials?.clientID == "my:client")
        #expect(credentials?.secret == "p%ss word")
    }

    @Test(arguments: [nil, "", "   ", "Bearer abc", "Basicabc", "Digest x", "Basic\tabc"])
    func otherSchemesAreNotClientCredentials(header: String?) throws {
        #expect(try BasicCredentials(authorizationHeader: header) == nil)
    }

    @Test(arguments: [
        "Basic", "Basic ", "Basic !!!", "Basic " + Data("no-colon".utf8).base64EncodedString(),
        "Basic " + Data(":secret".utf8).base64EncodedString(), "Basic " + Data("a%zz:b".utf8).base64EncodedString(),
    ])
    func unreadableBasicCredentialsAreInvalidClient(header: String) {
        #expect(throws: OAuthError.self) { try BasicCredentials(authorizationHeader: header) }
    }
}
