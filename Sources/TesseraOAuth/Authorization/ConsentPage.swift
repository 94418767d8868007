import Foundation
import TesseraCore
import TesseraStore

extension AuthorizationFlow {
    /// The consent page of the authorization code flow and of the device flow: the scopes with
    /// their descriptions, marked where `previous` approved them, and the pending interaction
    /// sealed for the user it was drawn for.
    func consentPage(
        _ purpose: PendingInteraction.Purpose, client: Client, user: User, scopes: ScopeSet, audience: [String],
        previous: Consent?, tenant: TenantContext, expiresAt: Date, userCode: String? = nil
    ) async throws -> InteractionStep {
        let descriptions = Dictionary(
            try await store.scopes(tenantID: tenant.id).map { ($0.name, $0.description) },
            uniquingKeysWith: { first, _ in first })
        let pending = PendingInteraction(purpose: purpose, userID: user.id, expiresAt: expiresAt)
        guard let sealed = sealer.seal(pending, purpose: .pending, tenantID: tenant.id) else { return Self.unavailable }
        var prompt = ConsentPrompt(
            pending: sealed, clientName: client.name, username: user.username,
            scopes: scopes.sorted.map {
                ConsentPrompt.Item(
                    name: $0, description: descriptions[$0] ?? "",
                    alreadyGranted: previous?.scopes.contains($0) ?? false)
            },
            audience: audience)
        prompt.userCode = userCode
        if client.origin != .admin {
            prompt.appHost = Self.host(of: client)
            prompt.unverified = !client.verified
        }
        return .consent(prompt)
    }

    /// Where a self-registered app lives, for the person deciding: a name is only what the app
    /// says it is, its host is where it is. For a metadata document's client, the host that
    /// serves its document (draft §8.4: the only name the authorization server checked).
    static func host(of client: Client) -> String? {
        if client.origin == .metadataDocument { return (try? ClientIDURL.parse(client.id))?.host }
        let candidates =
            [client.registration?.metadata.clientURI].compactMap { $0 } + client.redirectURIs.map(\.rawValue)
        return candidates.lazy.compactMap { URLComponents(string: $0) }
            .first { $0.scheme == "https" && !($0.host ?? "").isEmpty }?.host
    }
}

extension StoreOperations {
    /// Adds `scopes` to what the user approved for the client; approval only ever grows here
    /// (withdrawing is the account page's and the admin API's).
    func grantConsent(_ scopes: ScopeSet, tenantID: UUID, userID: UUID, clientID: String, at now: Date) async throws {
        let previous = try await consent(tenantID: tenantID, userID: userID, clientID: clientID)
        try await saveConsent(
            Consent(
                tenantID: tenantID, userID: userID, clientID: clientID,
                scopes: (previous?.scopes ?? ScopeSet([])).union(scopes), createdAt: previous?.createdAt ?? now,
                updatedAt: now))
    }
}
