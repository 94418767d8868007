import Foundation
import TesseraCore
import TesseraOAuth
import Testing
import X509

/// RFC 8705 §2: `tls_client_auth` by a registered subject DN or SAN, and
/// `self_signed_tls_client_auth` by a registered key, each within the certificate's validity.
@Suite("Mutual TLS client authentication")
struct MutualTLSAuthenticationTests {
    static let now = CertificateFactory.now

    // MARK: tls_client_auth: the registered value (RFC 8705 §2.1.2)

    @Test(arguments: [
        CertificateIdentity.subjectDN("CN=device-1,O=Acme"),
        .subjectDN("cn=device-1, o=Acme"),
        .subjectDN("CN=DEVICE-1,O=acme"),
        .sanDNS("device-1.acme.example"),
        .sanDNS("DEVICE-1.Acme.Example"),
        .sanURI("spiffe://acme.example/device-1"),
        .sanIP("10.1.2.3"),
        .sanIP("2001:db8::1"),
        .sanIP("2001:0db8:0:0:0:0:0:1"),
        .sanEmail("ops@acme.example"),
        .sanEmail("ops@ACME.EXAMPLE"),
    ])
    func theRegisteredValueMatchesTheDevice(_ identity: CertificateIdentity) throws {
        try identity.validate()
        let device = try CertificateFactory.device()
        #expect(identity.matches(device))
        #expect(throws: Never.self) { try MutualTLSAuthentication.verifyPKI(device, identity: identity, now: Self.now) }
    }

    @Test(arguments: [
        CertificateIdentity.subjectDN("CN=device-2,O=Acme"),
        .subjectDN("CN=device-1"),
        .subjectDN("CN=device-1,O=Acme,C=DE"),
        .subjectDN("O=Acme,CN=device-1"),
        .sanDNS("device-2.acme.example"),
        .sanDNS("acme.example"),
        .sanDNS("*.acme.example"),
        .sanURI("spiffe://acme.example/device-2"),
        .sanURI("SPIFFE://acme.example/device-1/"),
        .sanIP("10.1.2.4"),
        .sanIP("::ffff:10.1.2.4"),
        .sanIP("2001:db8::2"),
        .sanEmail("OPS@acme.example"),
        .sanEmail("ops@acme.example.org"),
        // A value of one kind never matches a name of another kind.
        .sanDNS("ops@acme.example"),
        .sanURI("device-1.acme.example"),
        .subjectDN("CN=device-1.acme.example"),
    ])
    func anyOtherValueDoesNotMatch(_ identity: CertificateIdentity) throws {
        let device = try CertificateFactory.device()
        #expect(!identity.matches(device))
        let error = #expect(throws: OAuthError.self) {
            try MutualTLSAuthentication.verifyPKI(device, identity: identity, now: Self.now)
        }
        #expect(error?.code == .invalidClient)
    }

    @Test func anIPv4SANMatchesItsMappedSpelling() throws {
        #expect(CertificateIdentity.sanIP("::ffff:10.1.2.3").matches(try CertificateFactory.device()))
    }

    @Test func aCertificateWithoutSANsMatchesOnlyByItsSubject() throws {
        let bare = try ClientCertificate(
            derEncoded: CertificateFactory.certificate(
                subject: DistinguishedName { CommonName("device-1") }, issuer: CertificateFactory.Issuer.make()))
        #expect(CertificateIdentity.subjectDN("CN=device-1").matches(bare))
        #expect(!CertificateIdentity.sanDNS("device-1").matches(bare))
    }

    @Test func aSelfIssuedCertificateIsRefusedForTLSClientAuthWhateverItsSubject() throws {
        let forged = try ClientCertificate(
            derEncoded: CertificateFactory.certificate(
                subject: DistinguishedName {
                    OrganizationName("Acme")
                    CommonName("device-1")
                }))
        let identity = CertificateIdentity.subjectDN("CN=device-1,O=Acme")
        #expect(identity.matches(forged), "the names match ...")
        let error = #expect(throws: OAuthError.self) {
            try MutualTLSAuthentication.verifyPKI(forged, identity: identity, now: Self.now)
        }
        #expect(error?.code == .invalidClient, "... but no trust anchor vouched for it")
    }

    @Test func anExpiredOrNotYetValidCertificateIsRefusedForBothMethods() throws {
        let key = CertificateFactory.Key.makeP256()
        let keys = SelfSignedCertificateKeys(jwks: Self.jwks([key.jwk]))
        let identity = CertificateIdentity.subjectDN("CN=device-1")
        let windows = [
            (Self.now.addingTimeInterval(-7200), Self.now.addingTimeInterval(-1), "has expired"),
            (Self.now.addingTimeInterval(1), Self.now.addingTimeInterval(7200), "is not valid yet"),
        ]
        for (start, end, phrase) in windows {
            let issued = try ClientCertificate(
                derEncoded: CertificateFactory.certificate(
                    subject: DistinguishedName { CommonName("device-1") }, key: key,
                    issuer: CertificateFactory.Issuer.make(), notBefore: start, notAfter: end))
            let pki = #expect(throws: OAuthError.self) {
                try MutualTLSAuthentication.verifyPKI(issued, identity: identity, now: Self.now)
            }
            #expect(pki?.code == .invalidClient)
            #expect(pki?.description?.contains(phrase) == true)
            let selfSigned = #expect(throws: OAuthError.self) {
                try MutualTLSAuthentication.verifySelfSigned(issued, keys: keys, now: Self.now)
            }
            #expect(selfSigned?.description?.contains(phrase) == true)
            #expect(throws: Never.self) {
                try MutualTLSAuthentication.verifyPKI(issued, identity: identity, now: start)
                try MutualTLSAuthentication.verifySelfSigned(issued, keys: keys, now: end)
            }
        }
    }

    // MARK: registration of the value

    @Test(arguments: [
        ("tls_client_auth_subject_dn", "CN=device-1,O=Acme"),
        ("tls_client_auth_san_dns", "device-1.acme.example"),
        ("tls_client_auth_san_dns", "*.acme.example"),
        ("tls_client_auth_san_uri", "spiffe://acme.example/device-1"),
        ("tls_client_auth_san_ip", "10.1.2.3"),
        ("tls_client_auth_san_ip", "2001:db8::1"),
        ("tls_client_auth_san_email", "ops@acme.example"),
    ])
    func aWellFormedValueRegisters(_ name: String, _ value: String) throws {
        let identity = try CertificateIdentity(metadataName: name, value: value)
        #expect(identity.metadataName == name)
        #expect(identity.value == value)
        #expect(try CertificateIdentity(metadata: [name: value, "client_name": "x"]) == identity)
    }

    @Test(arguments: [
        ("tls_client_auth_subject_dn", ""),
        ("tls_client_auth_subject_dn", "device-1"),
        ("tls_client_auth_subject_dn", "CN=a,"),
        ("tls_client_auth_subject_dn", "XYZZY=a"),
        ("tls_client_auth_san_dns", ""),
        ("tls_client_auth_san_dns", "device 1.example"),
        ("tls_client_auth_san_dns", "-device.example"),
        ("tls_client_auth_san_dns", "a..example"),
        ("tls_client_auth_san_dns", "a.*.example"),
        ("tls_client_auth_san_uri", "device-1"),
        ("tls_client_auth_san_uri", "spiffe://acme example/x"),
        ("tls_client_auth_san_ip", "10.1.2"),
        ("tls_client_auth_san_ip", "10.1.2.3/32"),
        ("tls_client_auth_san_ip", "device-1"),
        ("tls_client_auth_san_email", "ops"),
        ("tls_client_auth_san_email", "ops@"),
        ("tls_client_auth_san_email", "a@b@c.example"),
        ("tls_client_auth_san_other", "x"),
    ])
    func aMalformedValueIsRefusedAtRegistration(_ name: String, _ value: String) {
        let error = #expect(throws: ValidationError.self) { try CertificateIdentity(metadataName: name, value: value) }
        #expect(error?.field == name)
    }

    @Test func exactlyOneValueMustBeRegistered() {
        #expect(throws: ValidationError.self) { try CertificateIdentity(metadata: [:]) }
        #expect(throws: ValidationError.self) {
            try CertificateIdentity(metadata: [
                "tls_client_auth_subject_dn": "CN=a", "tls_client_auth_san_dns": "a.example",
            ])
        }
    }

    // MARK: self_signed_tls_client_auth (RFC 8705 §2.2)

    static func jwks(_ keys: [[String: String]]) -> String {
        let members = keys.map { key in
            "{" + key.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\"\($0.value)\"" }.joined(separator: ",") + "}"
        }
        return "{\"keys\":[\(members.joined(separator: ","))]}"
    }

    static func selfSigned(_ key: CertificateFactory.Key) throws -> ClientCertificate {
        try ClientCertificate(
            derEncoded: CertificateFactory.certificate(subject: DistinguishedName { CommonName("self") }, key: key))
    }

    @Test func aSelfSignedCertificateAuthenticatesByARegisteredKeyOfEveryType() throws {
        for key in [CertificateFactory.Key.makeP256(), .makeP384(), .makeEd25519(), try .makeRSA()] {
            var registered = key.jwk
            registered["kid"] = "device-key"
            registered["alg"] = "ES256"
            registered["use"] = "sig"
            let other = CertificateFactory.Key.makeP256().jwk
            let keys = SelfSignedCertificateKeys(jwks: Self.jwks([other, registered]))
            let certificate = try Self.selfSigned(key)
            #expect(keys.contains(certificate), "\(key.jwk["kty"] ?? "")")
            #expect(throws: Never.self) {
                try MutualTLSAuthentication.verifySelfSigned(certificate, keys: keys, now: Self.now)
            }
        }
    }

    @Test func aCertificateWithAnUnregisteredKeyIsRefused() throws {
        let keys = SelfSignedCertificateKeys(jwks: Self.jwks([CertificateFactory.Key.makeP256().jwk]))
        for key in [CertificateFactory.Key.makeP256(), .makeEd25519()] {
            let error = #expect(throws: OAuthError.self) {
                try MutualTLSAuthentication.verifySelfSigned(Self.selfSigned(key), keys: keys, now: Self.now)
            }
            #expect(error?.code == .invalidClient)
        }
    }

    @Test func aCAIssuedCertificateWithARegisteredKeyAlsoAuthenticates() throws {
        let key = CertificateFactory.Key.makeEd25519()
        let device = try CertificateFactory.device(key: key)
        let keys = SelfSignedCertificateKeys(jwks: Self.jwks([key.jwk]))
        #expect(throws: Never.self) { try MutualTLSAuthentication.verifySelfSigned(device, keys: keys, now: Self.now) }
    }

    @Test func unusableKeySetsHoldNoKeys() throws {
        for jwks in ["", "not json", "{}", "{\"keys\":{}}", "{\"keys\":[{\"kty\":\"oct\",\"k\":\"AAAA\"}]}"] {
            let keys = SelfSignedCertificateKeys(jwks: jwks)
            #expect(keys.isEmpty, "\(jwks)")
            #expect(!keys.contains(try Self.selfSigned(.makeP256())))
        }
    }

    @Test func thePinnedCertificatesKeyMatchesItsIndependentlyComputedThumbprint() throws {
        let certificate = try ClientCertificate(derEncoded: PinnedCertificate.der)
        let jwk = try #require(certificate.publicKeyJWK)
        let keys = SelfSignedCertificateKeys(jwks: Self.jwks([jwk.requiredMembers]))
        #expect(keys.contains(certificate))
        #expect(jwk.thumbprint == PinnedCertificate.keyThumbprint)
    }
}
