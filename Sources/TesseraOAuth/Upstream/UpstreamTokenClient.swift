import Foundation
import TesseraCore
import TesseraJOSE

/// The token request of the code flow at the upstream (RFC 6749 §4.1.3, OIDC Core §3.1.3.1),
/// with the client authentication the provider record names (OIDC Core §9), and PKCE's
/// `code_verifier` (RFC 7636 §4.5).
struct UpstreamTokenClient: Sendable {
    let fetcher: OutboundFetcher
    let masterKey: MasterKey
    let clock: @Sendable () -> Date

    /// The ID token the upstream answers with.
    func redeem(
        code: String, verifier: String, redirectURI: String, provider: IdentityProvider, metadata: UpstreamMetadata
    ) async throws(UpstreamFailure) -> String {
        var form = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI),
            ("code_verifier", verifier),
        ]
        var headers: [(String, String)] = []
        switch provider.authentication {
        case .clientSecretBasic:
            // RFC 6749 §2.3.1: both parts form-encoded before they are joined and base64'd.
            let pair = FormEncoding.encode(provider.clientID) + ":" + FormEncoding.encode(try secret(of: provider))
            headers.append(("Authorization", "Basic " + Data(pair.utf8).base64EncodedString()))
        case .clientSecretPost:
            form += [("client_id", provider.clientID), ("client_secret", try secret(of: provider))]
        case .privateKeyJWT:
            form += [
                ("client_id", provider.clientID),
                ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                ("client_assertion", try await assertion(for: provider, audience: metadata.tokenEndpoint)),
            ]
        }
        let response: OutboundResponse
        do {
            response = try await fetcher.postForm(
                metadata.tokenEndpoint, body: FormEncoding.body(form), headers: headers)
        } catch {
            throw .token("the provider's token endpoint could not be reached: \(error)")
        }
        let body = try? JSONReader.object(response.body)
        guard response.status == 200 else {
            let code = (try? body?.optionalString("error")) ?? nil
            throw .token("the provider refused the code (HTTP \(response.status)\(code.map { ", \($0)" } ?? ""))")
        }
        guard let body, let idToken = try? body.optionalString("id_token"), !idToken.isEmpty else {
            throw .token("the provider's token response carries no ID token")
        }
        return idToken
    }

    private func secret(of provider: IdentityProvider) throws(UpstreamFailure) -> String {
        guard let sealed = provider.sealedClientSecret,
            let opened = try? masterKey.open(
                sealed, tenantID: provider.tenantID, kid: IdentityProvider.secretKeyID(provider.id))
        else { throw .token("the provider's client secret cannot be opened; set it again") }
        return String(decoding: opened, as: UTF8.self)
    }

    /// RFC 7523 §3 / OIDC Core §9: `iss` and `sub` our client id, `aud` the token endpoint, a
    /// fresh `jti`, a minute to live; signed with the provider record's own key.
    private func assertion(for provider: IdentityProvider, audience: String) async throws(UpstreamFailure) -> String {
        guard let key = provider.assertionKey else { throw .token("the provider has no signing key") }
        let now = clock()
        do {
            let loaded = try await LoadedKey(
                record: SigningKeyRecord(
                    tenantID: provider.tenantID, kid: key.kid, algorithm: .es256, state: .current,
                    publicJWK: key.publicJWK, sealedPrivateKey: key.sealedPrivateKey, createdAt: provider.createdAt),
                masterKey: masterKey)
            return try loaded.sign(
                AssertionClaims(
                    clientID: provider.clientID, audience: audience, jti: RandomToken.generate(bytes: 16),
                    iat: Int(now.timeIntervalSince1970)),
                type: "JWT")
        } catch {
            throw .token("the provider's signing key cannot be used: \(error)")
        }
    }

    struct AssertionClaims: CompactJSONEncodable {
        let clientID: String
        let audience: String
        let jti: String
        let iat: Int

        var compactJSON: [UInt8] {
            var writer = JSONWriter(capacity: 256)
            writer.string("iss", clientID)
            writer.string("sub", clientID)
            writer.string("aud", audience)
            writer.string("jti", jti)
            writer.number("iat", iat)
            writer.number("exp", iat + 60)
            return writer.finished()
        }
    }
}
