import Crypto
import Foundation
import TesseraOAuth
import Testing
import X509

/// RFC 9440 §2: the `Client-Cert` header a TLS-terminating proxy sets, and what Tessera reads
/// from the certificate in it (RFC 8705 §3.1 thumbprint, names, validity, key).
@Suite("Client certificates")
struct ClientCertificateTests {
    @Test func thePinnedCertificatesThumbprintIsTheOneOpenSSLComputed() throws {
        let certificate = try ClientCertificate(derEncoded: PinnedCertificate.der)
        #expect(certificate.thumbprint == PinnedCertificate.x5tS256)
        #expect(certificate.publicKeyThumbprint == PinnedCertificate.keyThumbprint)
        #expect(certificate.derEncoded == PinnedCertificate.der)
    }

    @Test func thePinnedCertificatesNamesReadAsOpenSSLPrintsThem() throws {
        let certificate = try ClientCertificate(clientCertHeader: ":\(PinnedCertificate.base64):")
        #expect(certificate.subjectDN == PinnedCertificate.subject)
        #expect(certificate.issuer.description == "CN=Tessera Test CA")
        #expect(certificate.dnsNames == ["device-1.acme.example"])
        #expect(certificate.uris == ["spiffe://acme.example/device-1"])
        #expect(certificate.ipAddresses == ["10.1.2.3", "2001:db8::1"])
        #expect(certificate.emailAddresses == ["ops@acme.example"])
        #expect(certificate.notValidBefore == Date(timeIntervalSince1970: 1_796_167_015))  // 2026-12-01 23:16:55Z
        #expect(certificate.notValidAfter == Date(timeIntervalSince1970: 4_949_767_015))  // 2126-11-07 23:16:55Z
        #expect(!certificate.isSelfIssued)
    }

    @Test func theThumbprintIsBase64URLOfSHA256OfTheDER() throws {
        let der = try CertificateFactory.certificate(subject: DistinguishedName { CommonName("x") })
        let certificate = try ClientCertificate(derEncoded: der)
        #expect(certificate.thumbprint == Data(SHA256.hash(data: der)).base64URL)
        #expect(certificate.thumbprint.count == 43)
    }

    @Test func aHeaderRoundTripsTheDERExactly() throws {
        let device = try CertificateFactory.device()
        let header = device.clientCertHeaderValue
        #expect(header == ":\(Data(device.derEncoded).base64EncodedString()):")
        let read = try ClientCertificate(clientCertHeader: header)
        #expect(read.derEncoded == device.derEncoded)
        #expect(read.thumbprint == device.thumbprint)
    }

    @Test func aHeaderWithSpacesAroundOrParametersOrNoPaddingIsRead() throws {
        let device = try CertificateFactory.device()
        let base64 = Data(device.derEncoded).base64EncodedString()
        for header in [
            "  :\(base64):  ", ":\(base64):;proxy=nginx", ":\(base64.replacingOccurrences(of: "=", with: "")):",
        ] {
            #expect(
                try ClientCertificate(clientCertHeader: header).derEncoded == device.derEncoded, "\(header.prefix(8))")
        }
    }

    @Test(arguments: [
        ("", "empty"),
        ("   ", "blank"),
        (PinnedCertificate.base64, "bare base64, not a byte sequence"),
        ("\"\(PinnedCertificate.base64)\"", "a string"),
        ("-----BEGIN CERTIFICATE-----", "PEM"),
        ("device-1", "a token"),
        ("::", "an empty byte sequence"),
        (":\(PinnedCertificate.base64):, :\(PinnedCertificate.base64):", "two items (the header sent twice)"),
        ("(:\(PinnedCertificate.base64):)", "an inner list"),
        (":not base64!:", "not base64"),
        (":\(Data("hello".utf8).base64EncodedString()):", "base64 of something that is not DER"),
        (":\(Data(PinnedCertificate.der + [0]).base64EncodedString()):", "DER with a trailing byte"),
        (":\(Data(PinnedCertificate.der.dropLast()).base64EncodedString()):", "truncated DER"),
    ])
    func aMalformedHeaderIsRefused(header: String, what: String) {
        #expect(throws: OAuthError.self, "\(what)") { try ClientCertificate(clientCertHeader: header) }
        do {
            _ = try ClientCertificate(clientCertHeader: header)
        } catch {
            #expect(error.code == .invalidRequest, "\(what)")
            #expect(!(error.description ?? "").contains(PinnedCertificate.base64.prefix(20)), "never echoes the value")
        }
    }

    @Test func subjectAlternativeNamesOfEveryKindAreRead() throws {
        let device = try CertificateFactory.device()
        #expect(device.subjectDN == "CN=device-1,O=Acme")
        #expect(device.dnsNames == ["device-1.acme.example"])
        #expect(device.uris == ["spiffe://acme.example/device-1"])
        #expect(device.ipAddresses == ["10.1.2.3", "2001:db8::1"])
        #expect(device.emailAddresses == ["ops@Acme.example"])
    }

    @Test func validityIsInclusiveAtBothEnds() throws {
        let start = CertificateFactory.now
        let end = start.addingTimeInterval(3600)
        let certificate = try ClientCertificate(
            derEncoded: CertificateFactory.certificate(
                subject: DistinguishedName { CommonName("x") }, notBefore: start, notAfter: end))
        #expect(certificate.notValidBefore == start)
        #expect(certificate.notValidAfter == end)
        #expect(certificate.isValid(at: start))
        #expect(certificate.isValid(at: end))
        #expect(!certificate.isValid(at: start.addingTimeInterval(-1)))
        #expect(!certificate.isValid(at: end.addingTimeInterval(1)))
    }

    @Test func thePublicKeyAndSubjectPublicKeyInfoAreTheCertificatesKey() throws {
        let key = P256.Signing.PrivateKey()
        let device = try CertificateFactory.device(key: .p256(key))
        #expect(P256.Signing.PublicKey(device.publicKey)?.rawRepresentation == key.publicKey.rawRepresentation)
        #expect(device.subjectPublicKeyInfo == Array(key.publicKey.derRepresentation))
    }

    @Test func aSelfSignedCertificateIsSelfIssuedAndSelfSigned() throws {
        let der = try CertificateFactory.certificate(
            subject: DistinguishedName { CommonName("self") }, key: .makeEd25519())
        let certificate = try ClientCertificate(derEncoded: der)
        #expect(certificate.isSelfIssued)
        #expect(certificate.isSelfSigned)
        #expect(!(try CertificateFactory.device()).isSelfSigned)
    }

    @Test func aSelfIssuedCertificateSignedByAnotherKeyIsSelfIssuedButNotSelfSigned() throws {
        let name = try DistinguishedName { CommonName("Tessera Test CA") }
        let impostor = try CertificateFactory.Issuer.make("tessera test ca")
        let certificate = try ClientCertificate(
            derEncoded: CertificateFactory.certificate(subject: name, issuer: impostor))
        #expect(certificate.isSelfIssued, "issuer and subject are the same name, spelled in another case")
        #expect(!certificate.isSelfSigned)
    }
}

extension ClientCertificateTests {
    /// The certificate's key as a JWK, for `self_signed_tls_client_auth` (RFC 8705 §2.2).
    @Suite("Client certificate keys as JWKs")
    struct PublicKeyJWKTests {
        static func keys() throws -> [CertificateFactory.Key] {
            [.makeP256(), .makeP384(), .makeEd25519(), try .makeRSA()]
        }

        @Test func everyKeyTypeBecomesTheJWKOfTheSameKey() throws {
            for key in try Self.keys() {
                let device = try CertificateFactory.device(key: key)
                let jwk = try #require(device.publicKeyJWK, "\(key.jwk["kty"] ?? "")")
                #expect(jwk.requiredMembers == key.jwk)
            }
        }
    }
}
