import Foundation
import SwiftASN1
import TesseraOAuth
import Testing
import X509

/// RFC 4514 strings read and written, and RFC 4517 §4.2.15 `distinguishedNameMatch`: what
/// `tls_client_auth_subject_dn` (RFC 8705 §2.1.2) compares.
@Suite("Distinguished names")
struct DistinguishedNameTests {
    static func name(_ text: String) throws -> RDNSequence { try RDNSequence(rfc4514: text) }

    @Test(arguments: [
        ("CN=device-1,O=Acme", "cn=device-1, o=Acme"),
        ("CN=device-1,O=Acme", "CN = device-1 , O = Acme"),
        ("CN=device-1,O=Acme", "commonName=DEVICE-1,organizationName=acme"),
        ("CN=device-1,O=Acme", "2.5.4.3=device-1,2.5.4.10=Acme"),
        ("CN=device-1,O=Acme", "CN=device-1,O=#0c0441636d65"),
        ("CN=Big  Device,O=Acme", "CN=big device,O=Acme"),
        ("CN=a+UID=b,O=Acme", "UID=b+CN=a,O=Acme"),
        ("CN=Acme\\, Inc.", "CN=acme\\2C inc."),
        ("CN=caf\\C3\\A9", "CN=CAFÉ"),
        ("emailAddress=ops@acme.example,O=Acme", "E=OPS@acme.example,O=Acme"),
        ("DC=acme,DC=example", "dc=ACME,dc=Example"),
    ])
    func spellingsOfOneNameMatch(_ registered: String, _ other: String) throws {
        #expect(try Self.name(registered).matches(Self.name(other)))
        #expect(try Self.name(other).matches(Self.name(registered)))
    }

    @Test(arguments: [
        ("CN=device-1,O=Acme", "CN=device-2,O=Acme"),
        ("CN=device-1,O=Acme", "O=Acme,CN=device-1"),
        ("CN=device-1,O=Acme", "CN=device-1"),
        ("CN=device-1,O=Acme", "CN=device-1,O=Acme,C=DE"),
        ("CN=device-1,O=Acme", "CN=device-1+O=Acme"),
        ("CN=device-1,O=Acme", "OU=device-1,O=Acme"),
        ("CN=a+UID=b", "CN=a+UID=c"),
        ("CN=a+UID=b", "CN=a"),
        ("CN=device-1", "CN=device-1\\2C"),
        // A type Tessera has no short name for compares exactly.
        ("1.3.6.1.4.1.99999.1=Device", "1.3.6.1.4.1.99999.1=device"),
    ])
    func differentNamesDoNotMatch(_ registered: String, _ other: String) throws {
        #expect(try !Self.name(registered).matches(Self.name(other)))
    }

    @Test func escapesAreUndone() throws {
        let name = try Self.name(##"CN=\#\ lead\,\+\"\\\<\>\;\=trail\ ,O=x"##)
        #expect(name.rdns[0][0].value == .text(#"# lead,+"\<>;=trail "#))
        #expect(try Self.name("CN=\\41\\42c").rdns[0][0].value == .text("ABc"))
        #expect(try Self.name("CN=\\E2\\82\\AC").rdns[0][0].value == .text("€"))
        #expect(
            try Self.name("CN=a=b#c").rdns[0][0].value == .text("a=b#c"), "= and a # not at the start need no escape")
        #expect(try Self.name("CN=  padded  ").rdns[0][0].value == .text("padded"), "unescaped outer spaces dropped")
        #expect(try Self.name("CN=\\ padded\\ ").rdns[0][0].value == .text(" padded "), "escaped ones kept")
        #expect(try Self.name("CN=#0c0141").rdns[0][0].value == .encoded([0x0C, 0x01, 0x41]))
        #expect(try Self.name("").isEmpty)
    }

    @Test(arguments: [
        "CN", "CN=a,", ",CN=a", "=a", "CN=a,,O=b", "CN=a+", "XYZZY=a", "1=a", "2.5.4.03=a", "C N=a",
        "CN=a\\", "CN=a\\G1", "CN=a\\4", "CN=a\"b", "CN=a;b", "CN=a<b", "CN=a>b", "CN=#", "CN=#0c0", "CN=#zz",
        "CN=#0c01 41", "CN=\\FF",
    ])
    func malformedStringsAreRefused(_ text: String) {
        #expect(throws: RDNSequence.ParseError.self) { try RDNSequence(rfc4514: text) }
    }

    @Test func namesAreWrittenWithRFC4514Escapes() throws {
        let written = [
            ("CN=device-1,O=Acme", "CN=device-1,O=Acme"),
            ("cn=device-1, o=Acme", "CN=device-1,O=Acme"),
            (#"CN=Acme\, Inc.+UID=x"#, #"CN=Acme\, Inc.+UID=x"#),
            (##"CN=\#1"##, ##"CN=\#1"##),
            (#"CN=\ a\ "#, #"CN=\ a\ "#),
            (#"CN=a\"b\\c\<d\>e\;f\+g"#, #"CN=a\"b\\c\<d\>e\;f\+g"#),
            ("CN=\\00x", "CN=\\00x"),
            ("emailAddress=ops@acme.example", "emailAddress=ops@acme.example"),
            ("2.5.4.3=device", "CN=device"),
            ("1.3.6.1.4.1.99999.1=#0c0141", "1.3.6.1.4.1.99999.1=#0c0141"),
        ]
        for (text, expected) in written {
            let name = try Self.name(text)
            #expect(name.description == expected, "\(text)")
            #expect(try Self.name(name.description).matches(name), "\(text) re-reads as itself")
        }
    }

    @Test func aCertificatesSubjectIsWrittenMostSpecificFirst() throws {
        let subject = try DistinguishedName {
            CountryName("DE")
            OrganizationName("Acme, Inc.")
            OrganizationalUnitName("IoT")
            CommonName("#device 1 ")
        }
        let certificate = try ClientCertificate(derEncoded: CertificateFactory.certificate(subject: subject))
        #expect(certificate.subjectDN == ##"CN=\#device 1\ ,OU=IoT,O=Acme\, Inc.,C=DE"##)
        #expect(throws: RDNSequence.ParseError.self, "an unescaped leading # starts a #hex value") {
            try Self.name("cn=#device 1,ou=iot,o=acme\\, inc.,c=de")
        }
        #expect(try certificate.subject.matches(Self.name("cn=\\#device 1,ou=iot,o=acme\\, inc.,c=de")))
    }

    @Test func valuesOfEveryStringTypeCompareAsText() throws {
        // BMPString (UCS-2), UniversalString (UCS-4), TeletexString (Latin-1) and PrintableString
        // values of CN, each "Café" or "Cafe" in its own encoding.
        let encodings: [(tag: UInt8, content: [UInt8], text: String)] = [
            (0x1E, [0, 0x43, 0, 0x61, 0, 0x66, 0, 0xE9], "Café"),
            (0x1C, [0, 0, 0, 0x43, 0, 0, 0, 0x61, 0, 0, 0, 0x66, 0, 0, 0, 0xE9], "Café"),
            (0x14, [0x43, 0x61, 0x66, 0xE9], "Café"),
            (0x13, Array("Cafe".utf8), "Cafe"),
            (0x16, Array("Cafe".utf8), "Cafe"),
        ]
        for encoding in encodings {
            let der = [encoding.tag, UInt8(encoding.content.count)] + encoding.content
            let value = try ASN1Any(derEncoded: DER.parse(der))
            let subject = DistinguishedName([
                RelativeDistinguishedName(.init(type: .RDNAttributeType.commonName, value: value))
            ])
            let certificate = try ClientCertificate(derEncoded: CertificateFactory.certificate(subject: subject))
            #expect(
                try certificate.subject.matches(Self.name("CN=\(encoding.text.uppercased())")), "tag \(encoding.tag)")
            #expect(certificate.subjectDN == "CN=\(encoding.text)", "tag \(encoding.tag)")
        }
    }

    @Test func aNonStringValueIsWrittenAsHexAndComparedByBytes() throws {
        // An INTEGER where a string belongs: RFC 4514 §2.4 writes it as #hex of its DER.
        let value = try ASN1Any(derEncoded: DER.parse([0x02, 0x01, 0x05]))
        let subject = DistinguishedName([
            RelativeDistinguishedName(.init(type: .RDNAttributeType.commonName, value: value))
        ])
        let certificate = try ClientCertificate(derEncoded: CertificateFactory.certificate(subject: subject))
        #expect(certificate.subjectDN == "CN=#020105")
        #expect(try certificate.subject.matches(Self.name("CN=#020105")))
        #expect(try !certificate.subject.matches(Self.name("CN=5")))
    }
}
