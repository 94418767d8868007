import Foundation
import TesseraCore
import TesseraJOSE
import TesseraStore

/// Client authentication at the token, introspection and revocation endpoints (RFC 6749 §2.3,
/// RFC 7523 §2.2 and §3, OpenID Connect Core §9): decides which client is calling, and whether
/// it proved it.
///
/// The rules, in the order they apply:
/// 1. The request uses exactly one method (`PresentedCredentials`).
/// 2. The client exists in the tenant, is active, and is registered for the method it used:
///    a client authenticates only the way it was registered to.
/// 3. The proof holds: the secret matches (`client_secret_basic`, `client_secret_post`), the
///    assertion verifies against the client's registered keys (`private_key_jwt`), or the
///    endpoint admits public clients (`none`).
///
/// A caller who has not proved anything learns nothing from the answer: an unknown client, a
/// wrong secret, a client registered for another method and a bad signature all read
/// `client authentication failed`, and an unknown client costs the same secret comparison as a
/// known one. Only a caller that did prove possession of the credential is told more (disabled,
/// registered for another method, assertion expired or replayed).
public struct ClientAuthenticator: Sendable {
    /// The one description for every failure an unauthenticated caller could learn from.
    public static let failureDescription = "client authentication failed"

    let directory: any ClientDirectory
    let assertions: any ClientAssertionStore
    let clock: @Sendable () -> Date
    let keyCache: ClientKeyCache
    /// Resolves clients named by their metadata document's URL; nil: none are.
    let documents: MetadataDocumentResolver?

    public init(
        directory: any ClientDirectory, assertions: any ClientAssertionStore,
        documents: MetadataDocumentResolver? = nil, clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.directory = directory
        self.documents = documents
        self.assertions = assertions
        self.clock = clock
        self.keyCache = ClientKeyCache()
    }

    /// Authenticates the client of `request`, or throws the `OAuthError` to answer with:
    /// `invalid_client` (401, with `wwwAuthenticate`), `invalid_request` (two methods, missing
    /// parameters), or `temporarily_unavailable`/`server_error` when the store fails.
    public func authenticate(_ request: ClientAuthenticationRequest) async throws(OAuthError) -> AuthenticatedClient {
        switch try PresentedCredentials(request) {
        case .secret(let clientID, let secret, let method):
            return try await authenticateSecret(
                tenantID: request.tenantID, clientID: clientID, secret: secret, method: method)
        case .assertion(let assertion, let clientID):
            return try await authenticateAssertion(assertion, clientID: clientID, request: request)
        case .publicClient(let clientID):
            return try await authenticatePublicClient(clientID: clientID, request: request)
        }
    }

    /// A request that names the client by `client_id` alone: `none` (RFC 6749 §2.1, §3.2.1), a
    /// public client's identification, which the endpoint decides is enough or not; or mutual
    /// TLS (RFC 8705 §2), where the certificate the proxy forwarded is the proof.
    func authenticatePublicClient(
        clientID: String, request: ClientAuthenticationRequest
    ) async throws(OAuthError)
        -> AuthenticatedClient
    {
        guard let client = try await lookUp(tenantID: request.tenantID, clientID: clientID, tenant: request.tenant),
            client.authMethod == .none || client.authMethod.usesCertificate
        else { throw .invalidClient(Self.failureDescription) }
        if client.authMethod.usesCertificate { return try authenticateCertificate(of: client, request: request) }
        guard request.allowPublic else { throw .invalidClient("client authentication is required") }
        guard client.status == .active else { throw .invalidClient(Self.failureDescription) }
        return AuthenticatedClient(client: client, method: .none)
    }

    /// RFC 8705 §2.1 and §2.2: the certificate matches the registered subject, or its key is one
    /// of the client's registered keys. Without a certificate the caller proved nothing.
    func authenticateCertificate(
        of client: Client, request: ClientAuthenticationRequest
    ) throws(OAuthError) -> AuthenticatedClient {
        guard let certificate = request.certificate else {
            throw .invalidClient("this client authenticates with its TLS client certificate, and none was presented")
        }
        switch client.authMethod {
        case .tlsClientAuth:
            guard let subject = client.requirements.certificateSubject,
                let identity = try? CertificateIdentity(metadataName: subject.name, value: subject.value)
            else { throw .invalidClient(Self.failureDescription) }
            try MutualTLSAuthentication.verifyPKI(certificate, identity: identity, now: clock())
        default:
            try MutualTLSAuthentication.verifySelfSigned(
                certificate, keys: SelfSignedCertificateKeys(jwks: client.jwks ?? ""), now: clock())
        }
        // The certificate proved who this is: from here the caller may learn why it is refused.
        guard client.status == .active else { throw .invalidClient("the client is disabled") }
        return AuthenticatedClient(client: client, method: client.authMethod)
    }

    /// Longer ids are never issued (`Client.generateID()` makes 22 characters); they are not
    /// worth a database round trip.
    static let maximumClientIDLength = 255

    /// The registered client, or nil. Store failures become the errors an endpoint answers
    /// with: an unreachable database is `temporarily_unavailable` (503), which heals by itself.
    /// A client named by its metadata document's URL is fetched or refreshed here when
    /// `tenant` accepts documents; a document that cannot be used is `invalid_client` saying why.
    func lookUp(tenantID: UUID, clientID: String, tenant: TenantContext? = nil) async throws(OAuthError) -> Client? {
        guard clientID.utf8.count <= Self.maximumClientIDLength else { return nil }
        let stored: Client?
        do {
            stored = try await directory.client(tenantID: tenantID, id: clientID)
        } catch {
            throw Self.storeFailure(error)
        }
        guard let documents, let tenant else { return stored }
        do {
            return try await documents.client(tenant: tenant, id: clientID, stored: stored)
        } catch {
            throw error.oauthError
        }
    }

    static func storeFailure(_ error: any Error) -> OAuthError {
        if case StoreError.corrupt = error {
            return .serverError("the client registration could not be read")
        }
        return .temporarilyUnavailable("the client registry is unavailable; try again shortly")
    }
}
