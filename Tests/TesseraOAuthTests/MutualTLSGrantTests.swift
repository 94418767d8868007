import Foundation
import SwiftASN1
import TesseraCore
import TesseraOAuth
import Testing
import X509

/// RFC 8705 at the token endpoint: a client authenticates by the certificate a trusted proxy
/// forwarded (§2.1 by its registered subject, §2.2 by its registered key), and asks for tokens
/// bound to that certificate (§3, `cnf.x5t#S256`).
@Suite("Mutual TLS at the token endpoint")
struct MutualTLSGrantTests {
    static let subject = "CN=device-1,O=Acme"

    /// A device certificate valid around `now`, issued by `issuer` (self-signed when nil).
    static func device(
        _ key: CertificateFactory.Key = .makeP256(), issuer: CertificateFactory.Issuer?, now: Date,
        commonName: String = "device-1"
    ) throws -> ClientCertificate {
        try ClientCertificate(
            derEncoded: CertificateFactory.certificate(
                subject: try DistinguishedName {
                    OrganizationName("Acme")
                    CommonName(commonName)
                }, key: key, issuer: issuer, notBefore: now.addingTimeInterval(-60),
                notAfter: now.addingTimeInterval(3_600)))
    }

    static func register(
        _ setup: GrantTests.Setup, method: ClientAuthMethod, jwks: String? = nil, bound: Bool = true
    ) async throws -> Client {
        try await setup.runtime.administration.createClient(
            in: setup.tenant,
            .init(
                name: "Device", authMethod: method, jwks: jwks, grants: ["client_credentials"],
                scopes: ["orders:read"],
                requirements: ClientRequirements(
                    certificateBoundAccessTokens: bound,
                    certificateSubject: method == .tlsClientAuth
                        ? CertificateSubject(name: "tls_client_auth_subject_dn", value: "cn=device-1, o=Acme") : nil)),
            actor: "test"
        ).client
    }

    @Test func aCAIssuedCertificateWithTheRegisteredSubjectAuthenticatesAndBindsTheToken() async throws {
        try await ProtocolFixture.withRuntime(.sqlite) { runtime in
            let setup = try await GrantTests.Setup(runtime)
            let client = try await Self.register(setup, method: .tlsClientAuth)
            let ca = try CertificateFactory.Issuer.make()
            let certificate = try Self.device(issuer: ca, now: setup.clock.now)
            let form = ["grant_type": "client_credentials", "client_id": client.id]

            let issued = try await setup.token(form, authorization: nil, certificate: certificate).get()
            #expect(issued.tokenType == "Bearer")
            let claims = try await setup.claims(issued.accessToken)
            #expect(claims.cnf == Confirmation(certificateThumbprint: certificate.thumbprint))
            #expect(IntrospectionResponse(claims: claims).cnf?.certificateThumbprint == certificate.thumbprint)

            // No certificate, another subject, a self-issued one with the right subject: refused.
            let refusals: [ClientCertificate?] = [
                nil, try Self.device(issuer: ca, now: setup.clock.now, commonName: "device-2"),
                try Self.device(issuer: nil, now: setup.clock.now),
            ]
            for presented in refusals {
                let refused = try await setup.token(form, authorization: nil, certificate: presented)
                #expect(GrantTests.error(refused) == .invalidClient)
            }
            // An expired certificate.
            setup.clock.set(setup.clock.now.addingTimeInterval(7_200))
            #expect(
                GrantTests.error(try await setup.token(form, authorization: nil, certificate: certificate))
                    == .invalidClient)
        }
    }

    @Test func aSelfSignedCertificateAuthenticatesByItsRegisteredKey() async throws {
        try await ProtocolFixture.withRuntime(.sqlite) { runtime in
            let setup = try await GrantTests.Setup(runtime)
            let key = CertificateFactory.Key.makeP256()
            let jwks = String(
                decoding: try JSONSerialization.data(withJSONObject: ["keys": [key.jwk]]), as: UTF8.self)
            let client = try await Self.register(setup, method: .selfSignedTLSClientAuth, jwks: jwks, bound: false)
            let form = ["grant_type": "client_credentials", "client_id": client.id]
            let own = try Self.device(key, issuer: nil, now: setup.clock.now)
            let issued = try await setup.token(form, authorization: nil, certificate: own).get()
            // Not asked for: the token is not bound (RFC 8705 §3.4 is the client's choice).
            #expect(try await setup.claims(issued.accessToken).cnf == nil)
            let other = try Self.device(issuer: nil, now: setup.clock.now)
            #expect(
                GrantTests.error(try await setup.token(form, authorization: nil, certificate: other)) == .invalidClient)
        }
    }

    @Test func aClientThatAskedForBoundTokensGetsNoneWithoutACertificate() async throws {
        try await ProtocolFixture.withRuntime(.sqlite) { runtime in
            let setup = try await GrantTests.Setup(runtime)
            let (client, secret) = try await runtime.administration.createClient(
                in: setup.tenant,
                .init(
                    name: "Svc", grants: ["client_credentials"], scopes: ["orders:read"],
                    requirements: ClientRequirements(certificateBoundAccessTokens: true)),
                actor: "test")
            let basic = "Basic " + Data("\(client.id):\(try #require(secret))".utf8).base64EncodedString()
            let form = ["grant_type": "client_credentials"]
            #expect(GrantTests.error(try await setup.token(form, authorization: basic)) == .invalidRequest)
            let certificate = try Self.device(issuer: try CertificateFactory.Issuer.make(), now: setup.clock.now)
            let issued = try await setup.token(form, authorization: basic, certificate: certificate).get()
            #expect(try await setup.claims(issued.accessToken).cnf?.certificateThumbprint == certificate.thumbprint)
        }
    }
}
