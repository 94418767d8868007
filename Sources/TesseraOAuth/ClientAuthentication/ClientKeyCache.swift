import Foundation
import TesseraCore
import TesseraJOSE

/// Parsed client key sets, so a `private_key_jwt` client's JWKS is read and its verifiers
/// built once rather than on every token request.
///
/// An entry is used only while the client's `jwks` text is exactly the text it was built from,
/// so a key change takes effect on the next request whichever version of the client the
/// directory hands out. The cache is bounded: when full it starts over.
actor ClientKeyCache {
    private struct Entry {
        let source: String
        let keys: VerificationKeySet
    }

    private struct ClientKey: Hashable {
        let tenantID: UUID
        let clientID: String
    }

    private var entries: [ClientKey: Entry] = [:]
    let capacity: Int

    init(capacity: Int = 1024) {
        self.capacity = capacity
    }

    func keys(of client: Client, jwks: String) async -> VerificationKeySet {
        let cacheKey = ClientKey(tenantID: client.tenantID, clientID: client.id)
        if let entry = entries[cacheKey], entry.source == jwks { return entry.keys }
        let keys = await VerificationKeySet(json: jwks)
        if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        entries[cacheKey] = Entry(source: jwks, keys: keys)
        return keys
    }
}
