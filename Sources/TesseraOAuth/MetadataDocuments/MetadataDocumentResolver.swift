import Foundation
import Logging
import TesseraCore
import TesseraJOSE
import TesseraStore

/// Clients named by the URL of their client ID metadata document
/// (draft-ietf-oauth-client-id-metadata-document; docs/client-id-metadata-documents.md).
///
/// The document is fetched through the guarded `OutboundFetcher` (https, public addresses
/// checked on the connection made, no redirects, 5 KiB, 5 s), checked (§4: its `client_id` is
/// the URL exactly, no secret, `none` or `private_key_jwt`) and turned into a client by the same
/// `RegistrationRules` as a registration, under the tenant's registration policy. The client is
/// stored (origin `metadata_document`), so consents, refresh tokens, the admin API's verify and
/// block, and the purge of unused clients work as for any other; the document is fetched again
/// when this instance's copy is older than its `Cache-Control: max-age` allows (§5.2), within
/// `lifetimeBounds`. A failure is remembered for `failureLifetime`, so a stream of requests
/// naming a bad document makes one fetch, not one each; concurrent first uses share one fetch.
public actor MetadataDocumentResolver {
    struct Key: Hashable {
        let tenantID: UUID
        let url: String
    }

    let store: any Store
    let documents: OutboundFetcher
    let keySets: OutboundFetcher
    let clients: CachedClientDirectory?
    let clock: @Sendable () -> Date
    let capacity: Int
    let logger = Logger(label: "tessera.metadata-documents")

    /// §8.7 (maximum response size): a document is a few hundred bytes; 5 KiB bounds it.
    public static let maximumDocumentBytes = 5 * 1_024
    static let maximumKeySetBytes = 64 * 1_024
    static let defaultLifetime: TimeInterval = 600
    static let lifetimeBounds: ClosedRange<TimeInterval> = 60...86_400
    static let failureLifetime: TimeInterval = 30

    private var freshUntil: [Key: Date] = [:]
    private var failures: [Key: (MetadataDocumentFailure, Date)] = [:]
    private var inFlight: [Key: Task<Result<Client, MetadataDocumentFailure>, Never>] = [:]

    public init(
        store: any Store, policy: OutboundAddressPolicy, clients: CachedClientDirectory? = nil,
        timeoutSeconds: Int64 = 5, trustRoots: OutboundTrustRoots = .system, capacity: Int = 10_000,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.init(
            store: store,
            documents: OutboundFetcher(
                policy: policy, timeoutSeconds: timeoutSeconds, maximumBytes: Self.maximumDocumentBytes,
                trustRoots: trustRoots),
            keySets: OutboundFetcher(
                policy: policy, timeoutSeconds: timeoutSeconds, maximumBytes: Self.maximumKeySetBytes,
                trustRoots: trustRoots),
            clients: clients, capacity: capacity, clock: clock)
    }

    init(
        store: any Store, documents: OutboundFetcher, keySets: OutboundFetcher, clients: CachedClientDirectory?,
        capacity: Int, clock: @escaping @Sendable () -> Date
    ) {
        self.store = store
        self.documents = documents
        self.keySets = keySets
        self.clients = clients
        self.capacity = capacity
        self.clock = clock
    }

    /// The client `id` names at the tenant: `stored` (the tenant's row of that id) unless `id`
    /// is an https URL of a metadata document's client, which is then fetched or refreshed as
    /// needed. Documents off at the tenant: their clients are unknown there. An administrator's
    /// client whose id happens to be such a URL stays what the administrator made.
    nonisolated func client(
        tenant: TenantContext, id: String, stored: Client?
    ) async throws(MetadataDocumentFailure) -> Client? {
        guard ClientIDURL.isCandidate(id) else { return stored }
        if let stored, stored.origin != .metadataDocument { return stored }
        guard tenant.settings.clientIDMetadataDocuments else { return nil }
        return try await client(tenant: tenant, url: id, stored: stored)
    }

    /// The client the document at `url` describes for the tenant; `stored` is the tenant's row
    /// for that id, if any (an administrator's client of that id is never replaced: callers
    /// pass only rows of origin `metadata_document`).
    func client(tenant: TenantContext, url: String, stored: Client?) async throws(MetadataDocumentFailure) -> Client {
        let key = Key(tenantID: tenant.id, url: url)
        let now = clock()
        if let stored, let until = freshUntil[key], until > now { return stored }
        if let (failure, until) = failures[key], until > now { throw failure }
        let task: Task<Result<Client, MetadataDocumentFailure>, Never>
        if let running = inFlight[key] {
            task = running
        } else {
            task = Task { await self.load(tenant: tenant, url: url, stored: stored) }
            inFlight[key] = task
        }
        let result = await task.value
        inFlight[key] = nil
        return try result.get()
    }

    private func load(
        tenant: TenantContext, url: String, stored: Client?
    ) async -> Result<Client, MetadataDocumentFailure> {
        let key = Key(tenantID: tenant.id, url: url)
        if freshUntil.count >= capacity { freshUntil.removeAll(keepingCapacity: true) }
        if failures.count >= capacity { failures.removeAll(keepingCapacity: true) }
        do {
            let (client, lifetime) = try await fetchAndStore(tenant: tenant, url: url, stored: stored)
            freshUntil[key] = clock().addingTimeInterval(lifetime)
            failures[key] = nil
            return .success(client)
        } catch {
            logger.info(
                "A client metadata document was refused",
                metadata: ["tenant": "\(tenant.slug)", "client_id": "\(url.prefix(255))", "reason": "\(error)"])
            freshUntil[key] = nil
            if error != .unavailable { failures[key] = (error, clock().addingTimeInterval(Self.failureLifetime)) }
            return .failure(error)
        }
    }

    private func fetchAndStore(
        tenant: TenantContext, url: String, stored: Client?
    ) async throws(MetadataDocumentFailure) -> (Client, TimeInterval) {
        _ = try ClientIDURL.parse(url)
        let response: OutboundResponse
        do {
            response = try await documents.get(url, accept: "application/json")
        } catch {
            throw .fetch(error)
        }
        // §5: only a 200 answer is a document.
        guard response.status == 200 else { throw .status(response.status) }
        let object: JSONObject
        do {
            object = try JSONReader.object(response.body)
        } catch {
            throw .invalidDocument("it is not a JSON object: \(error.reason)")
        }
        let metadata = try Self.metadata(object, url: url)
        var fetchedKeys: String?
        if let jwksURI = metadata.jwksURI { fetchedKeys = try await keySet(at: jwksURI) }
        let (policy, scopes) = try await policyAndScopes(tenant)
        var (client, _): (Client, String?)
        do {
            (client, _) = try RegistrationRules(policy: policy, tenantScopes: scopes).client(
                from: metadata, id: url, tenantID: tenant.id, existing: stored,
                source: .metadataDocument(fetchedJWKS: fetchedKeys), now: clock())
        } catch {
            throw .invalidDocument(error.description ?? "\(error)")
        }
        let lifetime = min(
            max(response.maxAge.map(TimeInterval.init) ?? Self.defaultLifetime, Self.lifetimeBounds.lowerBound),
            Self.lifetimeBounds.upperBound)
        if let stored {
            guard Self.differs(client, from: stored) else { return (stored, lifetime) }
            client.version = stored.version + 1
            try await save(client, tenant: tenant, action: .clientUpdate, isNew: false)
        } else {
            try await save(client, tenant: tenant, action: .clientCreate, isNew: true)
        }
        return (client, lifetime)
    }

    /// §4.1: the document's members as client metadata, with the draft's own rules first.
    static func metadata(_ object: JSONObject, url: String) throws(MetadataDocumentFailure) -> ClientMetadata {
        guard case .string(let id)? = object["client_id"] else {
            throw .invalidDocument("it has no client_id")
        }
        // §4.1: "the client_id property MUST match the URL of the document" (simple string comparison).
        guard id == url else { throw .invalidDocument("its client_id is not the URL it was fetched from") }
        for member in ["client_secret", "client_secret_expires_at"] where object[member] != nil {
            throw .invalidDocument("it must not contain \(member): a public document holds no secret")
        }
        do {
            return try ClientMetadata(object)
        } catch {
            throw .invalidDocument(error.description ?? "\(error)")
        }
    }

    /// The keys a `private_key_jwt` document names by `jwks_uri`, fetched with the same guard.
    private func keySet(at uri: String) async throws(MetadataDocumentFailure) -> String {
        let response: OutboundResponse
        do {
            response = try await keySets.get(uri, accept: "application/jwk-set+json, application/json")
        } catch {
            throw .invalidDocument("its jwks_uri could not be fetched: \(error)")
        }
        guard response.status == 200 else {
            throw .invalidDocument("its jwks_uri answered HTTP \(response.status), not 200")
        }
        let text = String(decoding: response.body, as: UTF8.self)
        guard !(await VerificationKeySet(json: text)).isEmpty else {
            throw .invalidDocument("its jwks_uri holds no key Tessera can verify with")
        }
        return text
    }

    private func policyAndScopes(
        _ tenant: TenantContext
    ) async throws(MetadataDocumentFailure) -> (RegistrationPolicy, Set<String>) {
        do {
            let policy = try await store.registrationPolicy(tenantID: tenant.id) ?? .defaults
            return (policy, Set(try await store.scopes(tenantID: tenant.id).map(\.name)))
        } catch {
            logger.warning("A metadata document's client could not be read", metadata: ["error": "\(error)"])
            throw .unavailable
        }
    }

    /// Whether the document changed what the stored client is (its dates aside).
    static func differs(_ client: Client, from stored: Client) -> Bool {
        var comparable = client
        comparable.version = stored.version
        comparable.updatedAt = stored.updatedAt
        return comparable != stored
    }

    /// One audited write with its change-feed entry; a new client counts against the tenant's
    /// `registration_max_clients` as a registration does.
    private func save(
        _ client: Client, tenant: TenantContext, action: AuditAction, isNew: Bool
    ) async throws(MetadataDocumentFailure) {
        let cap = tenant.settings.registrationMaxClients
        let change = AuditedChange(
            tenantID: tenant.id, actor: "metadata_document", requestID: nil, at: client.updatedAt,
            records: [
                AuditRecord(
                    action: action, target: client.id,
                    details: AuditDetails().strings("name", [client.name]).strings("origin", ["metadata_document"]))
            ], feed: (.client, client.id))
        do {
            try await store.audited(change) { operations in
                if isNew {
                    guard try await operations.registeredClientCount(tenantID: tenant.id) < cap else {
                        throw MetadataDocumentFailure.invalidDocument(
                            "this tenant holds as many clients no administrator made as it allows")
                    }
                    try await operations.insertClient(client)
                } else {
                    try await operations.updateClient(client)
                }
            }
        } catch let failure as MetadataDocumentFailure {
            throw failure
        } catch {
            // Two instances may store the same new document at once: the other's row stands.
            if isNew, (try? await store.client(tenantID: tenant.id, id: client.id)) != nil {
                await clients?.invalidate(tenantID: tenant.id, clientID: client.id)
                return
            }
            logger.warning("A metadata document's client could not be stored", metadata: ["error": "\(error)"])
            throw .unavailable
        }
        await clients?.invalidate(tenantID: tenant.id, clientID: client.id)
    }
}
