import TesseraOAuth
import Testing

/// `application/x-www-form-urlencoded` bodies under RFC 6749 §3.1's rules.
@Suite struct FormParametersTests {
    @Test func parametersAreDecodedWithPlusAsSpaceAndPercentEscapes() throws {
        let form = try FormParameters(
            body: "scope=orders%3Aread+orders%3Awrite&redirect_uri=https%3A%2F%2Fa.example%2Fcb%3Fx%3D1&plus=a%2Bb")
        #expect(form["scope"] == "orders:read orders:write")
        #expect(form["redirect_uri"] == "https://a.example/cb?x=1")
        #expect(form["plus"] == "a+b")
    }

    @Test func utf8IsDecodedAndNamesAreEncodedToo() throws {
        let form = try FormParameters(body: "na%6De=J%C3%BCrgen")
        #expect(form["name"] == "Jürgen")
    }

    @Test func aParameterSentTwiceIsInvalidRequest() {
        #expect(throws: OAuthError.self) { try FormParameters(body: "grant_type=a&grant_type=b") }
        do {
            _ = try FormParameters(body: "scope=a&client_id=c&scope=a")
            Issue.record("a duplicate scope was accepted")
        } catch {
            #expect(error.code == .invalidRequest)
            #expect(error.description?.contains("'scope'") == true)
        }
    }

    @Test func resourceAndAudienceMayRepeatAndKeepTheirOrder() throws {
        let form = try FormParameters(
            body: "resource=https%3A%2F%2Fb.example&resource=https%3A%2F%2Fa.example&audience=x&audience=y")
        #expect(form.values("resource") == ["https://b.example", "https://a.example"])
        #expect(form["resource"] == "https://b.example")
        #expect(form.values("audience") == ["x", "y"])
        #expect(form.values("scope") == [])
    }

    @Test func theRepeatableNamesAreTheCallersChoice() throws {
        #expect(throws: OAuthError.self) { try FormParameters(body: "resource=a&resource=b", repeatable: []) }
        let form = try FormParameters(body: "scope=a&scope=b", repeatable: ["scope"])
        #expect(form.values("scope") == ["a", "b"])
    }

    @Test func emptyValuesAreTreatedAsAbsent() throws {
        let form = try FormParameters(body: "scope=&client_secret=&state&grant_type=client_credentials")
        #expect(form["scope"] == nil)
        #expect(form["client_secret"] == nil)
        #expect(form["state"] == nil)
        #expect(!form.contains("scope"))
        #expect(form.names == ["grant_type"])
        // An empty occurrence is no occurrence, so it does not make a duplicate.
        #expect(try FormParameters(body: "scope=&scope=read")["scope"] == "read")
    }

    @Test(arguments: ["a=%zz", "a=%4", "a=100%", "%GG=1", "a=%FF", "a=%C3%28", "a=%ED%A0%80"])
    func invalidPercentEncodingOrUTF8IsInvalidRequest(body: String) {
        #expect(throws: OAuthError.self) { try FormParameters(body: body) }
    }

    @Test func bodyOver64KiBIsInvalidRequest() throws {
        let limit = FormParameters.maximumBodyLength
        let atLimit = "a=" + String(repeating: "x", count: limit - 2)
        #expect(try FormParameters(body: atLimit)["a"]?.count == limit - 2)
        #expect(throws: OAuthError.invalidRequest("the request body is larger than 65536 bytes")) {
            try FormParameters(body: atLimit + "x")
        }
    }

    @Test func requireNamesTheMissingParameter() throws {
        let form = try FormParameters(body: "grant_type=client_credentials")
        #expect(try form.require("grant_type") == "client_credentials")
        #expect(throws: OAuthError.invalidRequest("the parameter 'code' is missing")) { try form.require("code") }
    }

    @Test func errorDescriptionsNeverEchoValues() {
        do {
            _ = try FormParameters(body: "client_secret=hunter2%zz")
            Issue.record("bad encoding was accepted")
        } catch {
            #expect(error.description?.contains("hunter2") == false)
            #expect(error.description?.contains("client_secret") == true)
        }
    }

    @Test func emptyBodyHasNoParameters() throws {
        #expect(try FormParameters(body: "").names.isEmpty)
        #expect(try FormParameters(body: "&&").names.isEmpty)
        #expect(FormParameters.empty.names.isEmpty)
    }
}
